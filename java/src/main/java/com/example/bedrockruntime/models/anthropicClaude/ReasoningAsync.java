package com.example.bedrockruntime.models.anthropicClaude;

// Asks Claude Sonnet 4 through the Converse API with the asynchronous client and extended thinking
// turned on, waits for the reply, then prints the reasoning block and the answer.

import com.example.bedrockruntime.models.anthropicClaude.lib.ReasoningResponse;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.*;

public class ReasoningAsync {

  public static ReasoningResponse reasoningAsync() {

    // snippet: create the client [java-reasoning-async]
    // An asynchronous client for us-east-1; credentials come from the default provider chain.
    var client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request [java-reasoning-async]
    // Claude Sonnet 4 is served on demand only through an inference profile, here the US one.
    var modelId = "us.anthropic.claude-sonnet-4-20250514-v1:0";

    var prompt = "Describe the purpose of a 'hello world' program in one line.";
    var message =
        Message.builder()
            .content(ContentBlock.fromText(prompt))
            .role(ConversationRole.USER)
            .build();

    // Thinking is the model's own setting, passed through additionalModelRequestFields.
    Document reasoningConfig =
        Document.mapBuilder()
            .putDocument(
                "thinking",
                Document.mapBuilder()
                    .putString("type", "enabled")
                    .putNumber("budget_tokens", 2000)
                    .build())
            .build();

    // snippet: invoke [java-reasoning-async]
    try {
      // The call returns a future at once; the response arrives on it later.
      CompletableFuture<ConverseResponse> asyncResponse =
          client.converse(
              request ->
                  request
                      .additionalModelRequestFields(reasoningConfig)
                      .messages(message)
                      .modelId(modelId));

      // snippet: read the text [java-reasoning-async]
      // The blocks are sorted by kind when the response arrives; get() waits for the result.
      return asyncResponse
          .thenApply(
              response -> {
                var content = response.output().message().content();
                ReasoningContentBlock reasoning = null;
                String text = null;

                for (ContentBlock block : content) {
                  if (block.reasoningContent() != null) {
                    reasoning = block.reasoningContent();
                  } else if (block.text() != null) {
                    text = block.text();
                  }
                }

                return new ReasoningResponse(reasoning, text);
              })
          .get();

      // snippet: handle the error [java-reasoning-async]
    } catch (Exception e) {
      // A service error arrives wrapped in an ExecutionException; it is printed, then rethrown.
      System.err.printf("Can't invoke '%s': %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end [java-reasoning-async]
  public static void main(String[] args) {
    // The reasoning between <thinking> tags, then the answer.
    ReasoningResponse response = reasoningAsync();
    System.out.println("\n<thinking>");
    System.out.println(response.reasoning().reasoningText());
    System.out.println("</thinking>\n");
    System.out.println(response.text());
  }
}
