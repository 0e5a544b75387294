"! <p class="shorttext synchronized">L2 client: Anthropic Claude, Messages API</p>
INTERFACE /aws1/if_bdr_l2_anthropic_msg PUBLIC.

  "! Sends one user message and returns the text of the reply.
  "! @parameter iv_prompt | the user message
  "! @parameter iv_max_tokens | max_tokens
  "! @parameter ov_answer | the text of the reply's first text block
  METHODS prompt_for_text
    IMPORTING iv_prompt        TYPE string
              iv_max_tokens    TYPE i DEFAULT 1024
    RETURNING VALUE(ov_answer) TYPE string
    RAISING   /aws1/cx_bdrserverexc
                /aws1/cx_bdrclientexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.

ENDINTERFACE.
