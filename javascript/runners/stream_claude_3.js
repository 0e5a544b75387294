// Runner: the module exports invokeModelWithResponseStream but its run-directly block only calls invokeModel,
// so this calls the streaming function with that block's prompt, model and error handling.
// The function writes each delta itself; the newline after it stands where the block's closing line begins.

import { invokeModelWithResponseStream } from "../models/anthropicClaude/invoke_claude_3.js";
import { FoundationModels } from "../config/foundation_models.js";

const prompt = 'Write a paragraph starting with: "Once upon a time..."';

try {
  await invokeModelWithResponseStream(
    prompt,
    FoundationModels.CLAUDE_3_HAIKU.modelId,
  );
  process.stdout.write("\n");
  // snippet: handle the error
} catch (err) {
  // As in the run-directly block: the error is printed and the program ends normally (exit code 0).
  console.log(`\n${err}`);
}
