package com.example.bedrockruntime.models.anthropicClaude;

// Sends one text message to Anthropic Claude through the ConverseStream API and prints the reply
// piece by piece as it arrives.

import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

public class ConverseStream {

  public static void main(String[] args) {

    // snippet: create the client
    // Streaming needs the asynchronous client; credentials come from the default provider chain.
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

    // snippet: read the text
    // Each contentBlockDelta event carries the next piece of text; it is printed as it comes.
    var responseStreamHandler =
        ConverseStreamResponseHandler.builder()
            .subscriber(
                ConverseStreamResponseHandler.Visitor.builder()
                    .onContentBlockDelta(
                        chunk -> {
                          String responseText = chunk.delta().text();
                          System.out.print(responseText);
                        })
                    .build())
            .onError(err -> System.err.printf("Can't invoke '%s': %s", modelId, err.getMessage()))
            .build();

    // snippet: invoke
    try {
      // The handler consumes the events; get() waits until the stream has ended.
      client
          .converseStream(
              request ->
                  request
                      .modelId(modelId)
                      .messages(message)
                      .inferenceConfig(
                          config -> config.maxTokens(512).temperature(0.5F).topP(0.9F)),
              responseStreamHandler)
          .get();

      // snippet: handle the error
    } catch (ExecutionException | InterruptedException e) {
      // The failure is reported here a second time, and the program ends normally.
      System.err.printf("Can't invoke '%s': %s", modelId, e.getCause().getMessage());
    }
  }
}
