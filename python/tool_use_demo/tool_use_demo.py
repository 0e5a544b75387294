# A weather assistant in the terminal: Anthropic Claude answers the user's weather questions through the Converse
# API, and calls a weather tool (weather_tool.py, the Open-Meteo API) whenever it needs current data.

import logging
from enum import Enum

import boto3
import utils.tool_use_print_utils as output
import weather_tool

logging.basicConfig(level=logging.INFO, format="%(message)s")

AWS_REGION = "us-east-1"


# Models whose Converse API supports tool use (the Bedrock user guide's "Carry out a conversation" page keeps the
# current list).
class SupportedModels(Enum):
    CLAUDE_OPUS = "anthropic.claude-3-opus-20240229-v1:0"
    CLAUDE_SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
    CLAUDE_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
    COHERE_COMMAND_R = "cohere.command-r-v1:0"
    COHERE_COMMAND_R_PLUS = "cohere.command-r-plus-v1:0"


# The demo talks to Claude 3 Haiku.
MODEL_ID = SupportedModels.CLAUDE_HAIKU.value

SYSTEM_PROMPT = """
You are a weather assistant that provides current weather data for user-specified locations using only
the Weather_Tool, which expects latitude and longitude. Infer the coordinates from the location yourself.
If the user provides coordinates, infer the approximate location and refer to it in your response.
To use the tool, you strictly apply the provided tool specification.

- Explain your step-by-step process, and give brief updates before each step.
- Only use the Weather_Tool for data. Never guess or make up information. 
- Repeat the tool use for subsequent requests if necessary.
- If the tool errors, apologize, explain weather is unavailable, and suggest other options.
- Report temperatures in °C (°F) and wind in km/h (mph). Keep weather reports concise. Sparingly use
  emojis where appropriate.
- Only respond to weather queries. Remind off-topic users of your purpose. 
- Never claim to search online, access external data, or use tools besides Weather_Tool.
- Complete the entire process until you have all required data before sending the complete response.
"""

# How many model answers one question may take (each tool call adds one): a model that keeps calling tools
# cannot loop forever.
MAX_RECURSIONS = 5


class ToolUseDemo:
    """The conversation with the model, and the tool calls it asks for."""

    def __init__(self):
        # snippet: build the request (the system prompt and the tools, sent with every request)
        # The system prompt, as Converse takes it: a list of content blocks.
        self.system_prompt = [{"text": SYSTEM_PROMPT}]

        # The tools the model may call: the weather tool only.
        self.tool_config = {"tools": [weather_tool.get_tool_spec()]}

        # snippet: create the client
        # The Region decides where the call is signed for; the endpoint may still come from the environment.
        self.bedrockRuntimeClient = boto3.client("bedrock-runtime", region_name=AWS_REGION)
        # snippet: end

    def run(self):
        """Greets the user, then answers one question after another until the user types x."""
        output.header()

        # The whole conversation is sent with every request.
        conversation = []

        user_input = self._get_user_input()

        while user_input is not None:
            # The question becomes the next user turn.
            message = {"role": "user", "content": [{"text": user_input}]}
            conversation.append(message)

            bedrock_response = self._send_conversation_to_bedrock(conversation)

            # Answers tool calls until the model ends its turn, or the allowance runs out.
            self._process_model_response(bedrock_response, conversation, max_recursion=MAX_RECURSIONS)

            user_input = self._get_user_input()

        output.footer()

    def _send_conversation_to_bedrock(self, conversation):
        """Sends the conversation with the system prompt and the tool configuration; returns Converse's response.

        :param conversation: every turn so far, the newest last.
        :return: the response of the Converse call.
        """
        output.call_to_bedrock(conversation)

        # snippet: invoke
        return self.bedrockRuntimeClient.converse(
            modelId=MODEL_ID,
            messages=conversation,
            system=self.system_prompt,
            toolConfig=self.tool_config,
        )
        # snippet: end

    def _process_model_response(self, model_response, conversation, max_recursion=MAX_RECURSIONS):
        """Acts on the model's answer by its stop reason: a tool call is answered, the end of a turn printed.

        :param model_response: the response of the Converse call.
        :param conversation: every turn so far.
        :param max_recursion: how many more answers this question may take.
        """

        if max_recursion <= 0:
            # Too many rounds for one question: the model may be looping, so the demo stops.
            logging.warning("Warning: Maximum number of recursions reached. Please try again.")
            exit(1)

        # snippet: read the text (the stop reason decides: answer a tool call, or print the final text)
        # The model's answer joins the conversation.
        message = model_response["output"]["message"]
        conversation.append(message)

        if model_response["stopReason"] == "tool_use":
            self._handle_tool_use(message, conversation, max_recursion)

        if model_response["stopReason"] == "end_turn":
            # The final answer's first block holds its text.
            output.model_response(message["content"][0]["text"])
            return
        # snippet: end

    def _handle_tool_use(self, model_response, conversation, max_recursion=MAX_RECURSIONS):
        """Runs every tool call of the model's answer, sends the results back as the next user turn, and acts on
        the model's next answer.

        :param model_response: the model's message holding the tool calls.
        :param conversation: every turn so far.
        :param max_recursion: how many more answers this question may take.
        """

        tool_results = []

        # Text blocks are shown to the user; tool calls are run.
        for content_block in model_response["content"]:
            if "text" in content_block:
                output.model_response(content_block["text"])

            if "toolUse" in content_block:
                tool_response = self._invoke_tool(content_block["toolUse"])

                # Each result names the call it answers.
                tool_results.append(
                    {
                        "toolResult": {
                            "toolUseId": (tool_response["toolUseId"]),
                            "content": [{"json": tool_response["content"]}],
                        }
                    }
                )

        # The results go back to the model as a user turn.
        message = {"role": "user", "content": tool_results}

        conversation.append(message)

        response = self._send_conversation_to_bedrock(conversation)

        # One round used: the model's next answer gets one fewer.
        self._process_model_response(response, conversation, max_recursion - 1)

    def _invoke_tool(self, payload):
        """Runs the tool the model named with its input; an unknown tool gets an error result instead.

        :param payload: the model's toolUse block (name, input and id).
        :return: the call's id and the tool's result.
        """
        tool_name = payload["name"]

        if tool_name == "Weather_Tool":
            input_data = payload["input"]
            output.tool_use(tool_name, input_data)

            # The model's input goes to the tool as it is.
            response = weather_tool.fetch_weather_data(input_data)
        else:
            error_message = f"The requested tool with name '{tool_name}' does not exist."
            response = {"error": "true", "message": error_message}

        return {"toolUseId": payload["toolUseId"], "content": response}

    @staticmethod
    def _get_user_input(prompt="Your weather info request"):
        """Asks the user for the next request; None when the user types x.

        :param prompt: the question shown to the user.
        :return: what the user typed, or None to leave.
        """
        output.separator()
        user_input = input(f"{prompt} (x to exit): ")

        if user_input == "":
            prompt = "Please enter your weather info request, e.g. the name of a city"
            return ToolUseDemo._get_user_input(prompt)

        elif user_input.lower() == "x":
            return None

        else:
            return user_input


if __name__ == "__main__":
    tool_use_demo = ToolUseDemo()
    # snippet: handle the error
    # Nothing is caught: a service error ends the demo with botocore's traceback.
    tool_use_demo.run()
