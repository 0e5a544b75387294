// InvokeModel and InvokeModelWithResponseStream with Claude's native Messages API body.

import { fileURLToPath } from "node:url";

import { FoundationModels } from "../../config/foundation_models.js";
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";

/**
 * @typedef {Object} ResponseContent
 * @property {string} text
 *
 * @typedef {Object} MessagesResponseBody
 * @property {ResponseContent[]} content
 *
 * @typedef {Object} Delta
 * @property {string} text
 *
 * @typedef {Object} Message
 * @property {string} role
 *
 * @typedef {Object} Chunk
 * @property {string} type
 * @property {Delta} delta
 * @property {Message} message
 */

/**
 * Sends one prompt to a Claude 3 model and returns the text of its answer.
 *
 * The body follows the Messages API for Claude on Bedrock:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 *
 * @param {string} prompt - What the user asks.
 * @param {string} [modelId] - Which model answers; Claude 3 Haiku unless given.
 */
export const invokeModel = async (
  prompt,
  modelId = "anthropic.claude-3-haiku-20240307-v1:0",
) => {
  // snippet: create the client [javascript]
  // Only the Region is set in code; endpoint and credentials come from the standard AWS configuration.
  const client = new BedrockRuntimeClient({ region: "us-east-1" });

  // snippet: build the request [javascript]
  // The native body: API version, an answer length limit and the conversation so far.
  const payload = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 1000,
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: prompt }],
      },
    ],
  };

  // snippet: invoke [javascript]
  // The body travels as a JSON string; the answer comes back whole.
  const command = new InvokeModelCommand({
    contentType: "application/json",
    body: JSON.stringify(payload),
    modelId,
  });
  const apiResponse = await client.send(command);

  // snippet: read the text [javascript]
  // The body arrives as bytes holding Claude's JSON answer; the text is in its first content block.
  const decodedResponseBody = new TextDecoder().decode(apiResponse.body);
  /** @type {MessagesResponseBody} */
  const responseBody = JSON.parse(decodedResponseBody);
  return responseBody.content[0].text;
  // snippet: end
};

/**
 * Sends one prompt to a Claude 3 model, writes its answer to standard output as it streams in,
 * and returns the whole answer.
 *
 * The body follows the Messages API for Claude on Bedrock:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 *
 * @param {string} prompt - What the user asks.
 * @param {string} [modelId] - Which model answers; Claude 3 Haiku unless given.
 */
export const invokeModelWithResponseStream = async (
  prompt,
  modelId = "anthropic.claude-3-haiku-20240307-v1:0",
) => {
  // snippet: create the client [javascript-stream]
  // Only the Region is set in code; endpoint and credentials come from the standard AWS configuration.
  const client = new BedrockRuntimeClient({ region: "us-east-1" });

  // snippet: build the request [javascript-stream]
  // The same native body as the non-streaming call; streaming is chosen by the command, not the body.
  const payload = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 1000,
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: prompt }],
      },
    ],
  };

  // snippet: invoke [javascript-stream]
  // Resolves once the stream opens; the answer follows as events.
  const command = new InvokeModelWithResponseStreamCommand({
    contentType: "application/json",
    body: JSON.stringify(payload),
    modelId,
  });
  const apiResponse = await client.send(command);

  // snippet: read the text [javascript-stream]
  let completeMessage = "";

  // Each event carries one of Claude's stream events as JSON bytes; only the deltas hold text.
  for await (const item of apiResponse.body) {
    /** @type Chunk */
    const chunk = JSON.parse(new TextDecoder().decode(item.chunk.bytes));
    const chunk_type = chunk.type;

    if (chunk_type === "content_block_delta") {
      const text = chunk.delta.text;
      completeMessage = completeMessage + text;
      process.stdout.write(text);
    }
  }

  // snippet: end
  return completeMessage;
};

// Run as a script, the module asks Claude 3 Haiku one question and prints the answer.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const prompt = 'Write a paragraph starting with: "Once upon a time..."';
  const modelId = FoundationModels.CLAUDE_3_HAIKU.modelId;
  console.log(`Prompt: ${prompt}`);
  console.log(`Model ID: ${modelId}`);

  try {
    console.log("-".repeat(53));
    const response = await invokeModel(prompt, modelId);
    console.log(`\n${"-".repeat(53)}`);
    console.log("Final structured response:");
    console.log(response);
    // snippet: handle the error [javascript]
  } catch (err) {
    console.log(`\n${err}`);
  }
}
