<?php

/**
 * Runner: calls BedrockRuntimeService::invokeClaude() once and prints the
 * completion that Anthropic Claude returns.
 *
 * The AWS Region is fixed by the service class; credentials and the endpoint
 * come from the standard AWS configuration (environment variables, shared
 * config and credentials files).
 */

declare(strict_types=1);

require __DIR__ . '/vendor/autoload.php';

use BedrockRuntime\BedrockRuntimeService;

$service = new BedrockRuntimeService();

$prompt = "Describe the purpose of a 'hello world' program in one line.";
$completion = $service->invokeClaude($prompt);

if ($completion === '') {
    // invokeClaude() has already printed the error line.
    exit(1);
}

echo $completion . PHP_EOL;
