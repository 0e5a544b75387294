"! Serialization and deserialization as the Bedrock samples use them
CLASS ltcl_json DEFINITION FINAL FOR TESTING DURATION SHORT RISK LEVEL HARMLESS.
  PRIVATE SECTION.
    TYPES:
      BEGIN OF ty_block,
        type TYPE string,
        text TYPE string,
      END OF ty_block,
      ty_blocks TYPE STANDARD TABLE OF ty_block WITH DEFAULT KEY.

    METHODS seed_input_low_case FOR TESTING.
    METHODS pretty_names FOR TESTING.
    METHODS escapes_in_strings FOR TESTING.
    METHODS nested_tables FOR TESTING.
    METHODS compress_skips_initial FOR TESTING.
    METHODS numbers FOR TESTING.
    METHODS camel_case_misses_snake_key FOR TESTING.
    METHODS low_case_fills_snake_key FOR TESTING.
    METHODS none_matches_any_case FOR TESTING.
    METHODS unicode_escapes FOR TESTING.
    METHODS raw_utf8_bytes FOR TESTING.
    METHODS arrays_into_tables FOR TESTING.
    METHODS invalid_json_changes_nothing FOR TESTING.
    METHODS round_trip_special_text FOR TESTING.
    METHODS control_characters_by_code FOR TESTING.
ENDCLASS.

CLASS ltcl_json IMPLEMENTATION.

  METHOD seed_input_low_case.
    DATA: BEGIN OF ls_input,
            prompt               TYPE string,
            max_tokens_to_sample TYPE /aws1/rt_shape_integer,
            temperature          TYPE /aws1/rt_shape_float,
            top_k                TYPE /aws1/rt_shape_integer,
            top_p                TYPE /aws1/rt_shape_float,
            stop_sequences       TYPE /aws1/rt_stringtab,
          END OF ls_input.
    ls_input-prompt = |\n\nHuman:\\nTell me a joke\n\nAssistant:\n|.
    ls_input-max_tokens_to_sample = 2048.
    ls_input-temperature = '0.5'.
    ls_input-top_k = 250.
    ls_input-top_p = 1.

    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_input pretty_name = /ui2/cl_json=>pretty_mode-low_case )
      exp = `{"prompt":"\n\nHuman:\\nTell me a joke\n\nAssistant:\n","max_tokens_to_sample":2048,`
         && `"temperature":0.5,"top_k":250,"top_p":1,"stop_sequences":[]}` ).
  ENDMETHOD.

  METHOD pretty_names.
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>pretty_name( iv_abap_name = `STOP_REASON`
                                                                         iv_mode      = /ui2/cl_json=>pretty_mode-camel_case )
                                        exp = `stopReason` ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>pretty_name( iv_abap_name = `ORIGINAL_STATUS_CODE`
                                                                         iv_mode      = /ui2/cl_json=>pretty_mode-camel_case )
                                        exp = `originalStatusCode` ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>pretty_name( iv_abap_name = `A__B`
                                                                         iv_mode      = /ui2/cl_json=>pretty_mode-camel_case )
                                        exp = `a_b` ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>pretty_name( iv_abap_name = `STOP_REASON`
                                                                         iv_mode      = /ui2/cl_json=>pretty_mode-low_case )
                                        exp = `stop_reason` ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>pretty_name( iv_abap_name = `stop_reason`
                                                                         iv_mode      = /ui2/cl_json=>pretty_mode-none )
                                        exp = `STOP_REASON` ).
  ENDMETHOD.

  METHOD escapes_in_strings.
    DATA: BEGIN OF ls_data,
            text TYPE string,
          END OF ls_data.
    ls_data-text = |"q" \\ \t\n\r é 漢字 🙂|.
    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_data pretty_name = /ui2/cl_json=>pretty_mode-low_case )
      exp = `{"text":"\"q\" \\ \t\n\r é 漢字 🙂"}` ).
  ENDMETHOD.

  METHOD nested_tables.
    DATA: BEGIN OF ls_message,
            role    TYPE string,
            content TYPE ty_blocks,
          END OF ls_message.
    ls_message-role = `user`.
    ls_message-content = VALUE #( ( type = `text` text = `Hi` ) ( type = `text` text = `there` ) ).
    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_message pretty_name = /ui2/cl_json=>pretty_mode-low_case )
      exp = `{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]}` ).
  ENDMETHOD.

  METHOD compress_skips_initial.
    DATA: BEGIN OF ls_data,
            name  TYPE string,
            count TYPE i,
            tags  TYPE string_table,
          END OF ls_data.
    ls_data-name = `x`.
    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_data compress = abap_true pretty_name = /ui2/cl_json=>pretty_mode-low_case )
      exp = `{"name":"x"}` ).
    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_data )
      exp = `{"NAME":"x","COUNT":0,"TAGS":[]}` ).
  ENDMETHOD.

  METHOD numbers.
    DATA: BEGIN OF ls_data,
            negative TYPE i,
            small    TYPE f,
            packed   TYPE p LENGTH 8 DECIMALS 2,
          END OF ls_data.
    ls_data-negative = -42.
    ls_data-small = '0.125'.
    ls_data-packed = '-3.50'.
    cl_abap_unit_assert=>assert_equals(
      act = /ui2/cl_json=>serialize( data = ls_data pretty_name = /ui2/cl_json=>pretty_mode-low_case )
      exp = `{"negative":-42,"small":0.125,"packed":-3.50}` ).

    CLEAR ls_data.
    /ui2/cl_json=>deserialize( EXPORTING json        = `{"negative": -7, "small": 2.5e-1, "packed": 12.25}`
                                         pretty_name = /ui2/cl_json=>pretty_mode-low_case
                               CHANGING  data        = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-negative exp = -7 ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-small exp = '0.25' ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-packed exp = '12.25' ).
  ENDMETHOD.

  METHOD camel_case_misses_snake_key.
    DATA: BEGIN OF ls_response,
            completion  TYPE string,
            stop_reason TYPE string,
          END OF ls_response.
    /ui2/cl_json=>deserialize(
      EXPORTING jsonx       = /aws1/cl_rt_util=>string_to_xstring( `{"completion":"Knock Knock...","stop_reason":"stop_sequence"}` )
                pretty_name = /ui2/cl_json=>pretty_mode-camel_case
      CHANGING  data        = ls_response ).
    cl_abap_unit_assert=>assert_equals( act = ls_response-completion exp = `Knock Knock...` ).
    cl_abap_unit_assert=>assert_initial( ls_response-stop_reason ).

    /ui2/cl_json=>deserialize(
      EXPORTING json        = `{"stopReason":"end_turn"}`
                pretty_name = /ui2/cl_json=>pretty_mode-camel_case
      CHANGING  data        = ls_response ).
    cl_abap_unit_assert=>assert_equals( act = ls_response-stop_reason exp = `end_turn` ).
  ENDMETHOD.

  METHOD low_case_fills_snake_key.
    DATA: BEGIN OF ls_response,
            completion  TYPE string,
            stop_reason TYPE string,
          END OF ls_response.
    /ui2/cl_json=>deserialize(
      EXPORTING json        = `{"completion":"a","stop_reason":"max_tokens","stop":null,"extra":{"x":[1,2]}}`
                pretty_name = /ui2/cl_json=>pretty_mode-low_case
      CHANGING  data        = ls_response ).
    cl_abap_unit_assert=>assert_equals( act = ls_response-stop_reason exp = `max_tokens` ).
  ENDMETHOD.

  METHOD none_matches_any_case.
    DATA: BEGIN OF ls_error,
            message TYPE string,
          END OF ls_error.
    /ui2/cl_json=>deserialize( EXPORTING json = `{"Message":"Denied"}`
                               CHANGING  data = ls_error ).
    cl_abap_unit_assert=>assert_equals( act = ls_error-message exp = `Denied` ).
  ENDMETHOD.

  METHOD unicode_escapes.
    DATA: BEGIN OF ls_data,
            text TYPE string,
          END OF ls_data.
    /ui2/cl_json=>deserialize(
      EXPORTING json        = `{"text":"\u00e9, \u6f22\u5b57, \ud83d\ude42, \"q\", \\, \t\n\/ \u0041\b\f"}`
                pretty_name = /ui2/cl_json=>pretty_mode-low_case
      CHANGING  data        = ls_data ).
    " \b and \f are the bytes 08 and 0C
    DATA(lv_expected) = /aws1/cl_rt_util=>string_to_xstring( |é, 漢字, 🙂, "q", \\, \t\n/ A| ).
    DATA lv_controls TYPE xstring.
    lv_controls = '080C'.
    CONCATENATE lv_expected lv_controls INTO lv_expected IN BYTE MODE.
    cl_abap_unit_assert=>assert_equals( act = /aws1/cl_rt_util=>string_to_xstring( ls_data-text )
                                        exp = lv_expected ).
  ENDMETHOD.

  METHOD raw_utf8_bytes.
    DATA: BEGIN OF ls_data,
            text TYPE string,
          END OF ls_data.
    /ui2/cl_json=>deserialize(
      EXPORTING jsonx       = /aws1/cl_rt_util=>string_to_xstring( `{"text":"é 漢字 🙂"}` )
                pretty_name = /ui2/cl_json=>pretty_mode-low_case
      CHANGING  data        = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-text exp = `é 漢字 🙂` ).
  ENDMETHOD.

  METHOD arrays_into_tables.
    DATA: BEGIN OF ls_data,
            content TYPE ty_blocks,
            words   TYPE string_table,
          END OF ls_data.
    /ui2/cl_json=>deserialize(
      EXPORTING json        = `{"content":[{"type":"text","text":"one"},{"type":"text","text":"two"}],"words":["a","b","c"]}`
                pretty_name = /ui2/cl_json=>pretty_mode-low_case
      CHANGING  data        = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = lines( ls_data-content ) exp = 2 ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-content[ 2 ]-text exp = `two` ).
    cl_abap_unit_assert=>assert_equals( act = concat_lines_of( ls_data-words ) exp = `abc` ).
  ENDMETHOD.

  METHOD invalid_json_changes_nothing.
    DATA: BEGIN OF ls_data,
            text TYPE string,
          END OF ls_data.
    ls_data-text = `before`.
    /ui2/cl_json=>deserialize( EXPORTING json = `{"text":"after"`
                               CHANGING  data = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-text exp = `before` ).
    /ui2/cl_json=>deserialize( EXPORTING json = `not json`
                               CHANGING  data = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = ls_data-text exp = `before` ).
  ENDMETHOD.

  METHOD round_trip_special_text.
    DATA: BEGIN OF ls_in,
            text TYPE string,
          END OF ls_in.
    DATA: BEGIN OF ls_out,
            text TYPE string,
          END OF ls_out.
    ls_in-text = |é, 漢字, 🙂, "quotes", a backslash \\, a tab \t and a newline \n|.
    /ui2/cl_json=>deserialize( EXPORTING json = /ui2/cl_json=>serialize( ls_in )
                               CHANGING  data = ls_out ).
    cl_abap_unit_assert=>assert_equals( act = ls_out-text exp = ls_in-text ).
  ENDMETHOD.

  METHOD control_characters_by_code.
    DATA: BEGIN OF ls_data,
            text TYPE string,
          END OF ls_data.
    " a backspace and a unit separator, read from their escapes; serialized twice, then a text with none
    /ui2/cl_json=>deserialize( EXPORTING json = `{"text":"a\u0008b\u001fc"}`
                               CHANGING  data = ls_data ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>serialize( ls_data )
                                        exp = `{"TEXT":"a\u0008b\u001fc"}` ).
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>serialize( ls_data )
                                        exp = `{"TEXT":"a\u0008b\u001fc"}` ).
    ls_data-text = `plain`.
    cl_abap_unit_assert=>assert_equals( act = /ui2/cl_json=>serialize( ls_data )
                                        exp = `{"TEXT":"plain"}` ).
  ENDMETHOD.

ENDCLASS.
