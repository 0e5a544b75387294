<?php

/**
 * Runner: calls BedrockRuntimeService::invokeClaude() the way the getting
 * started scenario beside the documented service class does, and prints what
 * it returns.
 *
 * Only the Claude part of that scenario is kept: its other steps call image
 * models. The AWS Region is fixed by the service class; credentials and the
 * endpoint come from the standard AWS configuration.
 */

declare(strict_types=1);

require __DIR__ . '/vendor/autoload.php';

use BedrockRuntime\BedrockRuntimeService;

$service = new BedrockRuntimeService();

$prompt = 'In one paragraph, who are you?';

// On failure invokeClaude() has printed the error and returns an empty string,
// which is printed like any answer: the scenario neither checks it nor exits.
echo $service->invokeClaude($prompt);
echo "\n";
