package com.example.bedrockruntime.models.anthropicClaude.lib;

import software.amazon.awssdk.services.bedrockruntime.model.ReasoningContentBlock;

/**
 * What the reasoning examples return: the model's reasoning block and the answer that follows it.
 *
 * @param reasoning the reasoning content block (its text and signature)
 * @param text the answer's text
 */
public record ReasoningResponse(ReasoningContentBlock reasoning, String text) {}
