package com.example.bedrockruntime.models.anthropicClaude;

// Sends one text message to Anthropic Claude through the Converse API and prints the reply.

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

public class Converse {

  public static String converse() {

    // snippet: create the client
    // A synchronous client for us-east-1; credentials come from the default provider chain.
    var client =
        BedrockRuntimeClient.builder()
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
    try {
      // The inference settings travel beside the message, not inside a model-specific body.
      ConverseResponse response =
          client.converse(
              request ->
                  request
                      .modelId(modelId)
                      .messages(message)
                      .inferenceConfig(
                          config -> config.maxTokens(512).temperature(0.5F).topP(0.9F)));

      // snippet: read the text
      // The reply is the assistant message; its first content block holds the text.
      var responseText = response.output().message().content().getFirst().text();
      System.out.println(responseText);

      return responseText;

      // snippet: handle the error
    } catch (SdkClientException e) {
      // Only failures on the client's side land here; service errors propagate to the caller.
      System.err.printf("ERROR: Can't invoke '%s'. Reason: %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end
  public static void main(String[] args) {
    converse();
  }
}
