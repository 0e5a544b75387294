<?php

namespace BedrockRuntime;

use Aws\BedrockRuntime\BedrockRuntimeClient;
use Exception;

/**
 * Calls Amazon Bedrock Runtime on behalf of the examples.
 */
class BedrockRuntimeService
{
    protected BedrockRuntimeClient $bedrockRuntimeClient;

    /**
     * Builds a Bedrock Runtime client for the given Region.
     *
     * Credentials come from the SDK's default provider chain (environment,
     * shared credentials and config files, container or instance roles), so
     * no profile is named here.
     */
    public function __construct(string $region = 'us-east-1')
    {
        // snippet: create the client
        $this->bedrockRuntimeClient = new BedrockRuntimeClient([
            'region' => $region,
            'version' => 'latest',
        // snippet: end
        ]);
    }

    public function invokeClaude($prompt)
    {
        // The different model providers have individual request and response formats.
        // For the format, ranges, and default values for Anthropic Claude, refer to:
        // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-claude.html

        $completion = "";

        try {
            // snippet: build the request
            $modelId = 'anthropic.claude-3-haiku-20240307-v1:0';

            // Claude requires you to enclose the prompt as follows:
            $body = [
                'anthropic_version' => 'bedrock-2023-05-31',
                'max_tokens' => 512,
                'temperature' => 0.5,
                'messages' => [[
                    'role' => 'user',
                    'content' => $prompt
                ]]
            ];

            // snippet: invoke
            $result = $this->bedrockRuntimeClient->invokeModel([
                'contentType' => 'application/json',
                'body' => json_encode($body),
                'modelId' => $modelId,
            ]);

            // snippet: read the text
            $response_body = json_decode($result['body']);

            $completion = $response_body->content[0]->text;
        // snippet: handle the error
        } catch (Exception $e) {
            echo "Error: ({$e->getCode()}) - {$e->getMessage()}\n";
        }

        // snippet: end
        return $completion;
    }
}
