<?php

/**
 * Runner: calls today's BedrockRuntimeService::invokeClaude() the way the
 * official repository's getting started scenario (GettingStartedWithBedrockRuntime)
 * does, printing what that scenario prints around it.
 *
 * Only the Claude part of that scenario is kept: its other step calls an image
 * model. The AWS Region is fixed by the service class; credentials and the
 * endpoint come from the standard AWS configuration.
 */

declare(strict_types=1);

require __DIR__ . '/vendor/autoload.php';
// Today's class has the same name as the seed page's, which Composer loads
// from src/: this runner loads today's explicitly, before anything asks for it.
require __DIR__ . '/current/BedrockRuntimeService.php';

use BedrockRuntime\BedrockRuntimeService;

echo "\n";
echo "---------------------------------------------------------------------\n";
echo "Welcome to the Amazon Bedrock Runtime getting started demo using PHP!\n";
echo "---------------------------------------------------------------------\n";
$bedrockRuntimeService = new BedrockRuntimeService();
$prompt = 'In one paragraph, who are you?';
echo "\nPrompt: " . $prompt;
echo "\n\nAnthropic Claude:\n";
echo $bedrockRuntimeService->invokeClaude($prompt);
echo "\n---------------------------------------------------------------------\n";
