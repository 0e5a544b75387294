// Converse API: one user message to Anthropic Claude, the reply printed as text.

import {
  BedrockRuntimeClient,
  ConverseCommand,
} from "@aws-sdk/client-bedrock-runtime";

// snippet: create the client
// Only the Region is set in code; endpoint and credentials come from the standard AWS configuration.
const client = new BedrockRuntimeClient({ region: "us-east-1" });

// snippet: build the request
// Claude 3 Haiku, called on demand by its base model id.
const modelId = "anthropic.claude-3-haiku-20240307-v1:0";

// Converse takes the conversation as role-tagged messages of content blocks, the same for every model.
const userMessage =
  "Describe the purpose of a 'hello world' program in one line.";
const conversation = [
  {
    role: "user",
    content: [{ text: userMessage }],
  },
];

// Inference settings use Converse's model-neutral names rather than Claude's native ones.
const command = new ConverseCommand({
  modelId,
  messages: conversation,
  inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9 },
});

try {
  // snippet: invoke
  const response = await client.send(command);

  // snippet: read the text
  // The reply is an assistant message; its first content block holds the text.
  const responseText = response.output.message.content[0].text;
  console.log(responseText);
  // snippet: handle the error
} catch (err) {
  // The SDK's error prints as "<ErrorName>: <service message>".
  console.log(`ERROR: Can't invoke '${modelId}'. Reason: ${err}`);
  process.exit(1);
}
// snippet: end
