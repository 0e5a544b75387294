package com.example.bedrockruntime;

// Sends one text prompt to Anthropic Claude in the model's own request format (InvokeModel).

import org.json.JSONObject;
import org.json.JSONPointer;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

public class InvokeModel {

  public static String invokeModel() {

    // snippet: create the client
    // The Bedrock Runtime client, bound to one Region; the default provider chain finds the
    // credentials.
    var client =
        BedrockRuntimeClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request
    // Which model answers: here Claude 3 Haiku.
    var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

    // InvokeModel takes Claude's own Messages body; the user guide lists its fields:
    // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
    var nativeRequestTemplate =
        """
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 512,
            "temperature": 0.5,
            "messages": [{
                "role": "user",
                "content": "{{prompt}}"
            }]
        }""";

    // What the model is asked.
    var prompt = "Describe the purpose of a 'hello world' program in one line.";

    // The prompt goes into the template's placeholder.
    String nativeRequest = nativeRequestTemplate.replace("{{prompt}}", prompt);

    // snippet: invoke
    try {
      // One request, one whole reply.
      var response =
          client.invokeModel(
              request -> request.body(SdkBytes.fromUtf8String(nativeRequest)).modelId(modelId));

      // snippet: read the text
      // The reply body is JSON.
      var responseBody = new JSONObject(response.body().asUtf8String());

      // The answer is the first content block's text.
      var text = new JSONPointer("/content/0/text").queryFrom(responseBody).toString();
      System.out.println(text);

      return text;

      // snippet: handle the error
    } catch (SdkClientException e) {
      System.err.printf("ERROR: Can't invoke '%s'. Reason: %s", modelId, e.getMessage());
      throw new RuntimeException(e);
    }
  }

  // snippet: end
  public static void main(String[] args) {
    invokeModel();
  }
}
