*&---------------------------------------------------------------------*
*& Runs the three snippets of ZCL_BDR_CLAUDE_INVOKE_MODEL and writes each
*& answer between a start line and an end line, so the answers can be read
*& back exactly even when they contain line breaks:
*&   --- <snippet label> ---
*&   <everything the snippet wrote, then its answer>
*&   --- end ---
*& An exception a snippet does not catch is written inside its frame as
*& "ERROR <code>: <text>"; the first one is raised again at the end, so
*& the run fails after all three snippets have had their turn.
*&---------------------------------------------------------------------*
REPORT zbdr_claude_runner.

CONSTANTS gc_prompt TYPE string VALUE `Describe the purpose of a 'hello world' program in one line.`.
CONSTANTS gc_end TYPE string VALUE `--- end ---`.

DATA go_snippets TYPE REF TO zcl_bdr_claude_invoke_model.
DATA gv_answer TYPE string.
DATA go_error TYPE REF TO /aws1/cx_rt_generic.
DATA go_first_error TYPE REF TO /aws1/cx_rt_generic.

START-OF-SELECTION.
  go_snippets = NEW #( ).

  WRITE / `--- low-level invokemodel (anthropic.claude-v2) ---`.
  TRY.
      gv_answer = go_snippets->prompt_claude_v2( gc_prompt ).
      WRITE / gv_answer.
    CATCH /aws1/cx_rt_generic INTO go_error.
      WRITE / |ERROR { go_error->av_err_code }: { go_error->get_text( ) }|.
      IF go_first_error IS INITIAL.
        go_first_error = go_error.
      ENDIF.
  ENDTRY.
  WRITE / gc_end.

  WRITE / `--- L2 create_claude_2 (anthropic.claude-v2) ---`.
  TRY.
      gv_answer = go_snippets->l2_prompt_claude_v2( gc_prompt ).
      WRITE / gv_answer.
    CATCH /aws1/cx_rt_generic INTO go_error.
      WRITE / |ERROR { go_error->av_err_code }: { go_error->get_text( ) }|.
      IF go_first_error IS INITIAL.
        go_first_error = go_error.
      ENDIF.
  ENDTRY.
  WRITE / gc_end.

  WRITE / `--- L2 create_anthropic_msg_api (anthropic.claude-3-sonnet-20240229-v1:0) ---`.
  TRY.
      gv_answer = go_snippets->l2_prompt_claude_v3( gc_prompt ).
      WRITE / gv_answer.
    CATCH /aws1/cx_rt_generic INTO go_error.
      WRITE / |ERROR { go_error->av_err_code }: { go_error->get_text( ) }|.
      IF go_first_error IS INITIAL.
        go_first_error = go_error.
      ENDIF.
  ENDTRY.
  WRITE / gc_end.

  IF go_first_error IS BOUND.
    RAISE EXCEPTION go_first_error.
  ENDIF.
