package com.example.bedrockruntime.runners;

import com.example.bedrockruntime.InvokeModelWithResponseStream;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;

// Runs InvokeModelWithResponseStream.invokeClaude as the documentation's usage demo did for its
// response-stream part: a header naming the model and the prompt, then the streamed reply.
public class InvokeWithResponseStreamDemo {

  private static final String CLAUDE = "anthropic.claude-v2";

  public static void main(String[] args) {
    String prompt = "What is a large-language model?";
    invokeWithResponseStream(CLAUDE, prompt);
  }

  private static void invokeWithResponseStream(String modelId, String prompt) {
    System.out.println(new String(new char[88]).replace("\0", "-"));
    System.out.printf("Invoking %s with response stream%n", modelId);
    System.out.println("Prompt: " + prompt);

    try {
      var silent = false;
      InvokeModelWithResponseStream.invokeClaude(prompt, silent);
    } catch (BedrockRuntimeException e) {
      // join() wraps failures in a CompletionException, so this catch does not see them.
      System.out.println("Couldn't invoke model " + modelId + ": " + e.getMessage());
      throw e;
    }
  }
}
