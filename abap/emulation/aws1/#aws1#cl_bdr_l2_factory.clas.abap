"! <p class="shorttext synchronized">Creates the high-level (L2) Bedrock Runtime clients</p>
CLASS /aws1/cl_bdr_l2_factory DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS create_claude_2
      IMPORTING io_bdr           TYPE REF TO /aws1/if_bdr
      RETURNING VALUE(oo_result) TYPE REF TO /aws1/if_bdr_l2_claude_2.

    "! @parameter iv_model_id | a model that supports the Messages API
    CLASS-METHODS create_anthropic_msg_api
      IMPORTING io_bdr           TYPE REF TO /aws1/if_bdr
                iv_model_id      TYPE string
      RETURNING VALUE(oo_result) TYPE REF TO /aws1/if_bdr_l2_anthropic_msg.
ENDCLASS.

CLASS /aws1/cl_bdr_l2_factory IMPLEMENTATION.

  METHOD create_claude_2.
    oo_result = NEW /aws1/cl_bdr_l2_claude_2( io_bdr ).
  ENDMETHOD.

  METHOD create_anthropic_msg_api.
    oo_result = NEW /aws1/cl_bdr_l2_anthropic_msg( io_bdr      = io_bdr
                                                  iv_model_id = iv_model_id ).
  ENDMETHOD.

ENDCLASS.
