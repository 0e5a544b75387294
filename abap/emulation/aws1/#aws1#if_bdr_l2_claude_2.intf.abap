"! <p class="shorttext synchronized">L2 client: Anthropic Claude 2, Text Completions</p>
INTERFACE /aws1/if_bdr_l2_claude_2 PUBLIC.

  "! Sends one Human turn and returns the completion.
  "! @parameter iv_prompt | the question, without Human/Assistant markers
  "! @parameter iv_max_tokens | max_tokens_to_sample
  "! @parameter ov_answer | the model's completion
  METHODS prompt_for_text
    IMPORTING iv_prompt        TYPE string
              iv_max_tokens    TYPE i DEFAULT 2048
    RETURNING VALUE(ov_answer) TYPE string
    RAISING   /aws1/cx_bdrserverexc
                /aws1/cx_bdrclientexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.

ENDINTERFACE.
