// Runner: calls the module's streaming function the way its run-directly block calls invokeModel.
// The function itself writes each streamed delta to standard output.

import { invokeModelWithResponseStream } from "../models/anthropicClaude/invoke_claude_3.js";
import { FoundationModels } from "../config/foundation_models.js";

const prompt = 'Write a paragraph starting with: "Once upon a time..."';

try {
  await invokeModelWithResponseStream(
    prompt,
    FoundationModels.CLAUDE_3_HAIKU.modelId,
  );
  process.stdout.write("\n");
} catch (err) {
  console.log(`\n${err}`);
  process.exitCode = 1;
}
