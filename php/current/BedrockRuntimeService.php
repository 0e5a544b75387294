<?php

namespace BedrockRuntime;

use Aws\BedrockRuntime\BedrockRuntimeClient;
use Exception;

/**
 * Calls Amazon Bedrock Runtime on behalf of the examples: the class as the
 * official repository holds it today, calling Claude Haiku 4.5 through its
 * global inference profile from us-west-2. The seed page's version is in
 * ../src/.
 */
class BedrockRuntimeService
{
    protected BedrockRuntimeClient $bedrockRuntimeClient;

    /**
     * Uses the given client, or builds one for us-west-2 that signs with the
     * `default` profile of the shared AWS credentials and config files.
     */
    public function __construct(?BedrockRuntimeClient $client = null)
    {
        if ($client) {
            $this->bedrockRuntimeClient = $client;
        } else {
            // snippet: create the client
            $this->bedrockRuntimeClient = new BedrockRuntimeClient([
                'region' => 'us-west-2',
                'profile' => 'default'
            ]);
            // snippet: end
        }
    }

    public function getClient(): BedrockRuntimeClient
    {
        return $this->bedrockRuntimeClient;
    }

    public function invokeClaude($prompt)
    {
        // InvokeModel carries each provider's own body; Claude's parameters are described at
        // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-claude.html

        $completion = "";
        try {
            // snippet: build the request
            $modelId = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
            // A Messages API body: the prompt is the content of one user message.
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
