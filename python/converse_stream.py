# Send one user message to Anthropic Claude with the ConverseStream API and print the answer as it arrives.

import boto3
from botocore.exceptions import ClientError

# snippet: create the client
# The Region decides where the call is signed for; the endpoint may still come from the environment.
client = boto3.client("bedrock-runtime", region_name="us-east-1")

# snippet: build the request
# Claude 3 Haiku; any Claude model id that ConverseStream accepts works here.
model_id = "anthropic.claude-3-haiku-20240307-v1:0"

# The same conversation shape as Converse: a list of turns holding content blocks.
user_message = "Describe the purpose of a 'hello world' program in one line."
conversation = [
    {
        "role": "user",
        "content": [{"text": user_message}],
    }
]

# snippet: invoke
try:
    # The call returns once the stream opens; the events are read below.
    streaming_response = client.converse_stream(
        modelId=model_id,
        messages=conversation,
        inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9},
    )

    # snippet: read the text
    # Only contentBlockDelta events carry text; print each piece without a newline so the answer joins up.
    for chunk in streaming_response["stream"]:
        if "contentBlockDelta" in chunk:
            text = chunk["contentBlockDelta"]["delta"]["text"]
            print(text, end="")

# snippet: handle the error
# An error frame inside the stream is raised while iterating, so it lands here too.
except (ClientError, Exception) as e:
    print(f"ERROR: Can't invoke '{model_id}'. Reason: {e}")
    exit(1)
