// Calls Converse or ConverseStream once, configured by the environment alone, and prints what the SDK parsed.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";

const [operation, modelId, prompt] = process.argv.slice(2);
const client = new BedrockRuntimeClient({ maxAttempts: 1 });
const request = {
  modelId,
  messages: [{ role: "user", content: [{ text: prompt }] }],
  inferenceConfig: { maxTokens: 512 },
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name: "get_weather",
          inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
        },
      },
    ],
  },
};

try {
  if (operation === "converse") {
    const response = await client.send(new ConverseCommand(request));
    console.log(
      JSON.stringify({
        content: response.output.message.content,
        stopReason: response.stopReason,
        usage: response.usage,
      }),
    );
  } else {
    const response = await client.send(new ConverseStreamCommand(request));
    const events = [];
    for await (const event of response.stream) {
      events.push(event);
    }
    console.log(JSON.stringify({ events }));
  }
} catch (error) {
  // The error's class name is what a caller of the SDK would dispatch on.
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
