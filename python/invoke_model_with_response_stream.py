# Send Anthropic Claude a Messages API body with InvokeModelWithResponseStream and print the answer as it arrives.

import json

import boto3

# snippet: create the client
# The Region decides where the call is signed for; the endpoint may still come from the environment.
client = boto3.client("bedrock-runtime", region_name="us-east-1")

# snippet: build the request
# Claude 3 Haiku; the body below is Anthropic's Messages API format.
model_id = "anthropic.claude-3-haiku-20240307-v1:0"

prompt = "Describe the purpose of a 'hello world' program in one line."

# The native body: Bedrock passes it to the model as is.
native_request = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 512,
    "temperature": 0.5,
    "messages": [
        {
            "role": "user",
            "content": [{"type": "text", "text": prompt}],
        }
    ],
}

# The API takes the body as bytes or a string, so serialise it here.
request = json.dumps(native_request)

# snippet: invoke
streaming_response = client.invoke_model_with_response_stream(modelId=model_id, body=request)

# snippet: read the text
# Each event wraps one of the model's own stream events as JSON; the text comes in content_block_delta events.
for event in streaming_response["body"]:
    chunk = json.loads(event["chunk"]["bytes"])
    if chunk["type"] == "content_block_delta":
        print(chunk["delta"].get("text", ""), end="")

# snippet: handle the error
# Nothing is caught here: a service error, or an error frame in the stream, ends the script with a traceback.
