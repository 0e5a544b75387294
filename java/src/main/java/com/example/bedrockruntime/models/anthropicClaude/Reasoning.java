package com.example.bedrockruntime.models.anthropicClaude;

// Asks Claude Sonnet 4 through the Converse API with extended thinking turned on, then prints the
// reasoning block and the answer.

import com.example.bedrockruntime.models.anthropicClaude.lib.ReasoningResponse;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.*;

public class Reasoning {

  public static ReasoningResponse reasoning() {

    // snippet: create the client [java-reasoning]
    // A synchronous client for us-east-1; credentials come from the default provider chain.
    var client =
        BedrockRuntimeClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request [java-reasoning]
    // Claude Sonnet 4 is served on demand only through an inference profile, here the US one.
    var modelId = "us.anthropic.claude-sonnet-4-20250514-v1:0";

    var prompt = "Describe the purpose of a 'hello world' program in one line.";
    var message =
        Message.builder()
            .content(ContentBlock.fromText(prompt))
            .role(ConversationRole.USER)
            .build();

    // Converse has no field of its own for thinking, so the model's native setting goes through
    // additionalModelRequestFields: up to 2000 tokens of reasoning before the answer.
    Document reasoningConfig =
        Document.mapBuilder()
            .putDocument(
                "thinking",
                Document.mapBuilder()
                    .putString("type", "enabled")
                    .putNumber("budget_tokens", 2000)
                    .build())
            .build();

    // snippet: invoke [java-reasoning]
    try {
      ConverseResponse bedrockResponse =
          client.converse(
              request ->
                  request
                      .additionalModelRequestFields(reasoningConfig)
                      .messages(message)
                      .modelId(modelId));

      // snippet: read the text [java-reasoning]
      // The reply holds a reasoning block and a text block; each is kept by its kind.
      var content = bedrockResponse.output().message().content();
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

      // snippet: handle the error [java-reasoning]
    } catch (SdkClientException e) {
      // Only failures on the client's side land here; a service error passes through uncaught.
      System.err.printf("ERROR: Can't invoke '%s'. Reason: %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end [java-reasoning]
  public static void main(String[] args) {
    // The reasoning between <thinking> tags, then the answer.
    ReasoningResponse response = reasoning();
    System.out.println("\n<thinking>");
    System.out.println(response.reasoning().reasoningText());
    System.out.println("</thinking>\n");
    System.out.println(response.text());
  }
}
