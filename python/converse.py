# Send one user message to Anthropic Claude with the Converse API and print the answer.

import boto3
from botocore.exceptions import ClientError

# snippet: create the client
# The Region decides where the call is signed for; the endpoint may still come from the environment.
client = boto3.client("bedrock-runtime", region_name="us-east-1")

# snippet: build the request
# Claude 3 Haiku; any Claude model id that Converse accepts works here.
model_id = "anthropic.claude-3-haiku-20240307-v1:0"

# Converse takes the conversation as a list of turns, each holding content blocks.
user_message = "Describe the purpose of a 'hello world' program in one line."
conversation = [
    {
        "role": "user",
        "content": [{"text": user_message}],
    }
]

# snippet: invoke
try:
    # The inference settings are Converse's own names, the same for every model.
    response = client.converse(
        modelId=model_id,
        messages=conversation,
        inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9},
    )

    # snippet: read the text
    # The reply is the assistant's message; its first content block holds the text.
    response_text = response["output"]["message"]["content"][0]["text"]
    print(response_text)

# snippet: handle the error
except (ClientError, Exception) as e:
    print(f"ERROR: Can't invoke '{model_id}'. Reason: {e}")
    exit(1)
