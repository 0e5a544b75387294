// The Java start-up floor: build the Bedrock Runtime client as the sample does and print; no request.

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

public class Floor {
  public static void main(String[] args) {
    BedrockRuntimeClient.builder()
        .credentialsProvider(DefaultCredentialsProvider.create())
        .region(Region.US_EAST_1)
        .build();
    System.out.println("floor");
  }
}
