<?php

namespace BedrockRuntime;

use Aws\BedrockRuntime\BedrockRuntimeClient;
use Exception;

/**
 * Calls Amazon Bedrock Runtime on behalf of the examples: the class as the
 * seed page shows it ("invoke the Anthropic Claude 2 foundation model to
 * generate text", with Claude 3 Haiku's id in its code). Today's version is in
 * ../current/.
 */
class BedrockRuntimeService
{
    /**
     * Uses the given client, or builds one for us-east-1 that signs with the
     * `default` profile of the shared AWS credentials and config files.
     */
    public function __construct(BedrockRuntimeClient $client = null)
    {
        if ($client) {
            $this->bedrockRuntimeClient = $client;
        } else {
            // snippet: create the client
            $this->bedrockRuntimeClient = new BedrockRuntimeClient([
                'region' => 'us-east-1',
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
            $modelId = 'anthropic.claude-3-haiku-20240307-v1:0';

            // Claude 3 takes a Messages API body: the prompt is the content of one user message.
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
