package com.example.bedrockruntime;

// Use the native inference API to send a text message to Anthropic Claude.

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
    // Create a Bedrock Runtime client in the AWS Region you want to use.
    // Replace the DefaultCredentialsProvider with your preferred credentials provider.
    var client =
        BedrockRuntimeClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(Region.US_EAST_1)
            .build();

    // snippet: build the request
    // Set the model ID, e.g., Claude 3 Haiku.
    var modelId = "anthropic.claude-3-haiku-20240307-v1:0";

    // The InvokeModel API uses the model's native payload.
    // Learn more about the available inference parameters and response fields at:
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

    // Define the prompt for the model.
    var prompt = "Describe the purpose of a 'hello world' program in one line.";

    // Embed the prompt in the model's native request payload.
    String nativeRequest = nativeRequestTemplate.replace("{{prompt}}", prompt);

    // snippet: invoke
    try {
      // Encode and send the request to the Bedrock Runtime.
      var response =
          client.invokeModel(
              request -> request.body(SdkBytes.fromUtf8String(nativeRequest)).modelId(modelId));

      // snippet: read the text
      // Decode the response body.
      var responseBody = new JSONObject(response.body().asUtf8String());

      // Retrieve the generated text from the model's response.
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
