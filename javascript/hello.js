// Getting started: one Converse call to Claude Haiku 4.5, printing a banner, the prompt and the reply.

import { fileURLToPath } from "node:url";
import {
  BedrockRuntimeClient,
  ConverseCommand,
} from "@aws-sdk/client-bedrock-runtime";

const AWS_REGION = "us-east-1";

// A global inference profile: Bedrock serves the call from whichever Region has capacity.
const MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const PROMPT = "Hi. In a short paragraph, explain what you can do.";

const hello = async () => {
  console.log("=".repeat(35));
  console.log("Welcome to the Amazon Bedrock demo!");
  console.log("=".repeat(35));

  console.log("Model: Anthropic Claude Haiku");
  console.log(`Prompt: ${PROMPT}\n`);
  console.log("Invoking model...\n");

  // snippet: create the client
  // Only the Region is set in code; endpoint and credentials come from the standard AWS configuration.
  const client = new BedrockRuntimeClient({ region: AWS_REGION });

  // snippet: build the request
  // One user message and no inference settings: the model's defaults apply.
  const command = new ConverseCommand({
    modelId: MODEL_ID,
    messages: [
      {
        role: "user",
        content: [{ text: PROMPT }],
      },
    ],
  });

  try {
    // snippet: invoke
    const response = await client.send(command);

    // snippet: read the text
    // The reply is an assistant message; its first content block holds the text.
    const responseText = response.output.message.content[0].text;
    console.log(`Response: ${responseText}`);
    // snippet: handle the error
  } catch (caught) {
    // Only an error named after the SDK's base class is reported here. A modelled error carries its own
    // name (AccessDeniedException, ...), so it is rethrown unreported and ends the program uncaught.
    if (
      caught instanceof Error &&
      caught.name === "BedrockRuntimeServiceException"
    ) {
      console.error(
        `ERROR: Can't invoke '${MODEL_ID}'. Reason: ${caught.message}`,
      );
      throw caught;
    }
    throw caught;
  }
};
// snippet: end

// Runs only when the file is the program, not when another module imports it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await hello();
}
