// ConverseStream API: one user message to Anthropic Claude, the reply printed piece by piece as it arrives.

import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";

// snippet: create the client
// Only the Region is set in code; endpoint and credentials come from the standard AWS configuration.
const client = new BedrockRuntimeClient({ region: "us-east-1" });

// snippet: build the request
// Claude 3 Haiku, called on demand by its base model id.
const modelId = "anthropic.claude-3-haiku-20240307-v1:0";

// The request has the same shape as Converse's; only the command differs.
const userMessage =
  "Describe the purpose of a 'hello world' program in one line.";
const conversation = [
  {
    role: "user",
    content: [{ text: userMessage }],
  },
];

const command = new ConverseStreamCommand({
  modelId,
  messages: conversation,
  inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9 },
});

try {
  // snippet: invoke
  const response = await client.send(command);

  // snippet: read the text
  // Each event holds one member; text arrives in contentBlockDelta events, written without a newline.
  for await (const item of response.stream) {
    if (item.contentBlockDelta) {
      process.stdout.write(item.contentBlockDelta.delta?.text);
    }
  }
  // snippet: handle the error
} catch (err) {
  // Errors raised mid-stream land here too, after the text already written.
  console.log(`ERROR: Can't invoke '${modelId}'. Reason: ${err}`);
  process.exit(1);
}
// snippet: end
