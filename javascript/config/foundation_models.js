// The foundation models the examples in this folder refer to, by a stable name.

/**
 * @typedef {Object} FoundationModel
 * @property {string} modelName
 * @property {string} modelId
 * @property {string} provider
 */

/** @type {Record<string, FoundationModel>} */
export const FoundationModels = Object.freeze({
  CLAUDE_3_HAIKU: {
    modelName: "Claude 3 Haiku",
    modelId: "anthropic.claude-3-haiku-20240307-v1:0",
    provider: "Anthropic",
  },
  CLAUDE_3_SONNET: {
    modelName: "Claude 3 Sonnet",
    modelId: "anthropic.claude-3-sonnet-20240229-v1:0",
    provider: "Anthropic",
  },
  CLAUDE_2: {
    modelName: "Claude 2",
    modelId: "anthropic.claude-v2",
    provider: "Anthropic",
  },
});
