package com.example.bedrockruntime.models.anthropicClaude;

// Sends one text message to Anthropic Claude through the Converse API with the asynchronous
// client, then waits for the reply and prints it.

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

public class ConverseAsync {

  public static String converseAsync() {

    // snippet: create the client
    // An asynchronous client for us-east-1; credentials come from the default provider chain.
    var client =
        BedrockRuntimeAsyncClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request
    // Claude 3 Haiku, by its base model id.
    var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

    // Converse takes the prompt as a user message made of content blocks, the same for every model.
    var inputText = "Describe the purpose of a 'hello world' program in one line.";
    var message =
        Message.builder()
            .content(ContentBlock.fromText(inputText))
            .role(ConversationRole.USER)
            .build();

    // snippet: invoke
    // The call returns at once; the response arrives later on the returned future.
    var request =
        client.converse(
            params ->
                params
                    .modelId(modelId)
                    .messages(message)
                    .inferenceConfig(config -> config.maxTokens(512).temperature(0.5F).topP(0.9F)));

    // snippet: read the text
    // A second future carries just the reply text, or the failure, to the waiting thread.
    CompletableFuture<String> future = new CompletableFuture<>();

    request.whenComplete(
        (response, error) -> {
          if (error == null) {
            // The first content block of the assistant message holds the text.
            String responseText = response.output().message().content().getFirst().text();
            future.complete(responseText);
          } else {
            future.completeExceptionally(error);
          }
        });

    try {
      // Blocks until the reply text (or the error) is there.
      String responseText = future.get();
      System.out.println(responseText);

      return responseText;

      // snippet: handle the error
    } catch (ExecutionException | InterruptedException e) {
      // Any failure, service errors included, arrives wrapped in an ExecutionException.
      System.err.printf("Can't invoke '%s': %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end
  public static void main(String[] args) {
    converseAsync();
  }
}
