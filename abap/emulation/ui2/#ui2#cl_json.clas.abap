"! <p class="shorttext synchronized">JSON serializer and deserializer (subset of /UI2/CL_JSON)</p>
"! Enough of the SAP_UI class for the Bedrock samples: structures, internal tables,
"! strings, character fields, integers, packed numbers and floats, with the
"! pretty-name modes NONE, LOW_CASE and CAMEL_CASE. Names map one way, from the ABAP
"! component to the JSON key, as the original does: in CAMEL_CASE mode the component
"! STOP_REASON is the key "stopReason" and a key "stop_reason" does not fill it.
CLASS /ui2/cl_json DEFINITION PUBLIC CREATE PUBLIC.
  PUBLIC SECTION.
    TYPES json TYPE string.
    TYPES pretty_name_mode TYPE c LENGTH 1.

    CONSTANTS:
      BEGIN OF pretty_mode,
        none       TYPE pretty_name_mode VALUE ` `,
        low_case   TYPE pretty_name_mode VALUE `L`,
        camel_case TYPE pretty_name_mode VALUE `X`,
      END OF pretty_mode.

    "! @parameter data | a structure, internal table or elementary value
    "! @parameter compress | leave out components whose value is initial
    "! @parameter pretty_name | how component names become JSON keys
    "! @parameter r_json | compact JSON text
    CLASS-METHODS serialize
      IMPORTING data          TYPE data
                compress      TYPE abap_bool DEFAULT abap_false
                pretty_name   TYPE pretty_name_mode DEFAULT pretty_mode-none
      RETURNING VALUE(r_json) TYPE json.

    "! @parameter json | JSON text; used when jsonx is empty
    "! @parameter jsonx | UTF-8 encoded JSON text
    "! @parameter pretty_name | how component names become JSON keys
    "! @parameter data | filled from the matching keys; others keep their value
    CLASS-METHODS deserialize
      IMPORTING json        TYPE json OPTIONAL
                jsonx       TYPE xstring OPTIONAL
                pretty_name TYPE pretty_name_mode DEFAULT pretty_mode-none
      CHANGING  data        TYPE data.

    "! @parameter iv_abap_name | component name, any case
    "! @parameter iv_mode | a pretty_mode value
    "! @parameter rv_json_name | the JSON key
    CLASS-METHODS pretty_name
      IMPORTING iv_abap_name        TYPE csequence
                iv_mode             TYPE pretty_name_mode
      RETURNING VALUE(rv_json_name) TYPE string.

  PROTECTED SECTION.
  PRIVATE SECTION.
    TYPES:
      "! One parsed JSON value; members and elements point to their parent
      BEGIN OF ty_node,
        index  TYPE i,
        parent TYPE i,
        kind   TYPE c LENGTH 1,
        name   TYPE string,
        value  TYPE string,
      END OF ty_node,
      ty_nodes TYPE STANDARD TABLE OF ty_node WITH DEFAULT KEY.

    CONSTANTS:
      BEGIN OF c_kind,
        object  TYPE c LENGTH 1 VALUE 'o',
        array   TYPE c LENGTH 1 VALUE 'a',
        string  TYPE c LENGTH 1 VALUE 's',
        number  TYPE c LENGTH 1 VALUE 'n',
        boolean TYPE c LENGTH 1 VALUE 'b',
        null    TYPE c LENGTH 1 VALUE 'z',
      END OF c_kind.

    DATA mv_text TYPE string.
    DATA mv_length TYPE i.
    DATA mv_pos TYPE i.
    DATA mt_nodes TYPE ty_nodes.
    DATA mv_pretty_name TYPE pretty_name_mode.
    DATA mv_compress TYPE abap_bool.
    " the control characters JSON escapes by code, gathered once: checked for before each string is searched for each
    CLASS-DATA gv_controls TYPE string.

    METHODS dump
      IMPORTING iv_data        TYPE data
      RETURNING VALUE(rv_json) TYPE string.
    METHODS dump_float
      IMPORTING iv_value       TYPE f
      RETURNING VALUE(rv_json) TYPE string.
    METHODS quote
      IMPORTING iv_text        TYPE csequence
      RETURNING VALUE(rv_json) TYPE string.

    METHODS parse
      IMPORTING iv_text TYPE string.
    METHODS parse_value
      IMPORTING iv_parent TYPE i
                iv_name   TYPE string.
    METHODS parse_string
      RETURNING VALUE(rv_text) TYPE string.
    METHODS parse_escape
      RETURNING VALUE(rv_text) TYPE string.
    METHODS parse_hex4
      RETURNING VALUE(rv_code) TYPE i.
    METHODS add_node
      IMPORTING iv_parent       TYPE i
                iv_kind         TYPE c
                iv_name         TYPE string
                iv_value        TYPE string OPTIONAL
      RETURNING VALUE(rv_index) TYPE i.
    METHODS skip_whitespace.
    METHODS expect
      IMPORTING iv_char TYPE c.
    METHODS peek
      RETURNING VALUE(rv_char) TYPE string.
    METHODS syntax_error
      IMPORTING iv_what TYPE string.

    METHODS restore
      IMPORTING iv_node TYPE i
      CHANGING  cv_data TYPE data.

    CLASS-METHODS code_point_to_string
      IMPORTING iv_code        TYPE i
      RETURNING VALUE(rv_text) TYPE string.
ENDCLASS.


CLASS /ui2/cl_json IMPLEMENTATION.

  METHOD serialize.
    DATA(lo_json) = NEW /ui2/cl_json( ).
    lo_json->mv_pretty_name = pretty_name.
    lo_json->mv_compress = compress.
    r_json = lo_json->dump( data ).
  ENDMETHOD.


  METHOD deserialize.
    DATA(lo_json) = NEW /ui2/cl_json( ).
    lo_json->mv_pretty_name = pretty_name.
    " like the original, text that is not JSON leaves DATA unchanged
    TRY.
        IF jsonx IS NOT INITIAL.
          lo_json->parse( zcl_kernel_crypto=>utf8_decode( jsonx ) ).
        ELSE.
          lo_json->parse( json ).
        ENDIF.
      CATCH lcx_syntax_error.
        RETURN.
    ENDTRY.
    IF lo_json->mt_nodes IS NOT INITIAL.
      lo_json->restore( EXPORTING iv_node = 1
                        CHANGING  cv_data = data ).
    ENDIF.
  ENDMETHOD.


  METHOD pretty_name.
    DATA lt_parts TYPE string_table.
    DATA lv_part TYPE string.

    CASE iv_mode.
      WHEN pretty_mode-low_case.
        rv_json_name = to_lower( iv_abap_name ).
      WHEN pretty_mode-camel_case.
        " a double underscore stands for a literal one; single ones start a new word
        SPLIT to_lower( replace( val = iv_abap_name sub = `__` with = `\u` occ = 0 ) )
          AT `_` INTO TABLE lt_parts.
        LOOP AT lt_parts INTO lv_part.
          IF sy-tabix > 1 AND lv_part IS NOT INITIAL.
            lv_part = to_upper( substring( val = lv_part len = 1 ) ) && substring( val = lv_part off = 1 ).
          ENDIF.
          rv_json_name = rv_json_name && lv_part.
        ENDLOOP.
        rv_json_name = replace( val = rv_json_name sub = `\u` with = `_` occ = 0 ).
        rv_json_name = replace( val = rv_json_name sub = `\U` with = `_` occ = 0 ).
      WHEN OTHERS.
        rv_json_name = to_upper( iv_abap_name ).
    ENDCASE.
  ENDMETHOD.


  METHOD dump.
    DATA lv_kind TYPE c LENGTH 1.
    DATA lt_members TYPE string_table.
    DATA lv_name TYPE string.
    DATA lv_text TYPE string.
    FIELD-SYMBOLS <lv_component> TYPE any.
    FIELD-SYMBOLS <lt_table> TYPE ANY TABLE.
    FIELD-SYMBOLS <lv_line> TYPE any.

    DESCRIBE FIELD iv_data TYPE lv_kind.
    CASE lv_kind.
      WHEN 'u' OR 'v'.
        LOOP AT zcl_kernel_rtti=>component_names( iv_data ) INTO lv_name.
          ASSIGN COMPONENT lv_name OF STRUCTURE iv_data TO <lv_component>.
          IF mv_compress = abap_true AND <lv_component> IS INITIAL.
            CONTINUE.
          ENDIF.
          APPEND |{ quote( pretty_name( iv_abap_name = lv_name iv_mode = mv_pretty_name ) ) }:{ dump( <lv_component> ) }|
            TO lt_members.
        ENDLOOP.
        rv_json = |\{{ concat_lines_of( table = lt_members sep = `,` ) }\}|.
      WHEN 'h'.
        ASSIGN iv_data TO <lt_table>.
        LOOP AT <lt_table> ASSIGNING <lv_line>.
          APPEND dump( <lv_line> ) TO lt_members.
        ENDLOOP.
        rv_json = |[{ concat_lines_of( table = lt_members sep = `,` ) }]|.
      WHEN 'I' OR 'b' OR 's' OR '8' OR 'P'.
        lv_text = iv_data.
        rv_json = condense( lv_text ).
        " ABAP writes the sign of a negative number behind it
        IF rv_json CP '*-'.
          rv_json = |-{ substring( val = rv_json len = strlen( rv_json ) - 1 ) }|.
        ENDIF.
      WHEN 'F'.
        rv_json = dump_float( iv_data ).
      WHEN 'r' OR 'l'.
        rv_json = `null`.
      WHEN OTHERS.
        " character-like and byte-like values become JSON strings
        lv_text = iv_data.
        rv_json = quote( lv_text ).
    ENDCASE.
  ENDMETHOD.


  METHOD dump_float.
    DATA lv_text TYPE string.
    " the string template writes a fixed number of decimals; JSON wants the short form
    lv_text = |{ iv_value }|.
    IF lv_text CA '.' AND lv_text NA 'Ee'.
      WHILE lv_text CP '*0'.
        lv_text = substring( val = lv_text len = strlen( lv_text ) - 1 ).
      ENDWHILE.
      IF lv_text CP '*.'.
        lv_text = substring( val = lv_text len = strlen( lv_text ) - 1 ).
      ENDIF.
    ENDIF.
    rv_json = lv_text.
  ENDMETHOD.


  METHOD quote.
    DATA lv_code TYPE i.
    DATA lv_control TYPE string.
    DATA lv_hex TYPE x LENGTH 1.

    rv_json = iv_text.
    rv_json = replace( val = rv_json sub = `\` with = `\\` occ = 0 ).
    rv_json = replace( val = rv_json sub = `"` with = `\"` occ = 0 ).
    rv_json = replace( val = rv_json sub = |\n| with = `\n` occ = 0 ).
    rv_json = replace( val = rv_json sub = |\r| with = `\r` occ = 0 ).
    rv_json = replace( val = rv_json sub = |\t| with = `\t` occ = 0 ).
    " the remaining control characters are rare: escape them by code, only in a text that holds one
    IF gv_controls IS INITIAL.
      WHILE lv_code < 32.
        IF lv_code <> 9 AND lv_code <> 10 AND lv_code <> 13.
          gv_controls = gv_controls && code_point_to_string( lv_code ).
        ENDIF.
        lv_code = lv_code + 1.
      ENDWHILE.
      lv_code = 0.
    ENDIF.
    IF rv_json CA gv_controls.
      WHILE lv_code < 32.
        IF lv_code <> 9 AND lv_code <> 10 AND lv_code <> 13.
          lv_control = code_point_to_string( lv_code ).
          IF rv_json CS lv_control.
            lv_hex = lv_code.
            rv_json = replace( val = rv_json sub = lv_control with = |\\u00{ to_lower( |{ lv_hex }| ) }| occ = 0 ).
          ENDIF.
        ENDIF.
        lv_code = lv_code + 1.
      ENDWHILE.
    ENDIF.
    rv_json = |"{ rv_json }"|.
  ENDMETHOD.


  METHOD parse.
    mv_text = iv_text.
    mv_length = strlen( mv_text ).
    mv_pos = 0.
    CLEAR mt_nodes.
    skip_whitespace( ).
    IF mv_pos >= mv_length.
      RETURN.
    ENDIF.
    parse_value( iv_parent = 0
                 iv_name   = `` ).
    skip_whitespace( ).
    IF mv_pos < mv_length.
      syntax_error( `trailing characters` ).
    ENDIF.
  ENDMETHOD.


  METHOD parse_value.
    DATA lv_index TYPE i.
    DATA lv_name TYPE string.
    DATA lv_start TYPE i.

    skip_whitespace( ).
    CASE peek( ).
      WHEN `{`.
        lv_index = add_node( iv_parent = iv_parent
                             iv_kind   = c_kind-object
                             iv_name   = iv_name ).
        mv_pos = mv_pos + 1.
        skip_whitespace( ).
        IF peek( ) = `}`.
          mv_pos = mv_pos + 1.
          RETURN.
        ENDIF.
        DO.
          skip_whitespace( ).
          lv_name = parse_string( ).
          skip_whitespace( ).
          expect( ':' ).
          parse_value( iv_parent = lv_index
                       iv_name   = lv_name ).
          skip_whitespace( ).
          IF peek( ) = `,`.
            mv_pos = mv_pos + 1.
          ELSE.
            expect( '}' ).
            EXIT.
          ENDIF.
        ENDDO.
      WHEN `[`.
        lv_index = add_node( iv_parent = iv_parent
                             iv_kind   = c_kind-array
                             iv_name   = iv_name ).
        mv_pos = mv_pos + 1.
        skip_whitespace( ).
        IF peek( ) = `]`.
          mv_pos = mv_pos + 1.
          RETURN.
        ENDIF.
        DO.
          parse_value( iv_parent = lv_index
                       iv_name   = `` ).
          skip_whitespace( ).
          IF peek( ) = `,`.
            mv_pos = mv_pos + 1.
          ELSE.
            expect( ']' ).
            EXIT.
          ENDIF.
        ENDDO.
      WHEN `"`.
        add_node( iv_parent = iv_parent
                  iv_kind   = c_kind-string
                  iv_name   = iv_name
                  iv_value  = parse_string( ) ).
      WHEN `t`.
        IF substring( val = mv_text off = mv_pos len = nmin( val1 = 4 val2 = mv_length - mv_pos ) ) <> `true`.
          syntax_error( `true` ).
        ENDIF.
        mv_pos = mv_pos + 4.
        add_node( iv_parent = iv_parent
                  iv_kind   = c_kind-boolean
                  iv_name   = iv_name
                  iv_value  = `X` ).
      WHEN `f`.
        IF substring( val = mv_text off = mv_pos len = nmin( val1 = 5 val2 = mv_length - mv_pos ) ) <> `false`.
          syntax_error( `false` ).
        ENDIF.
        mv_pos = mv_pos + 5.
        add_node( iv_parent = iv_parent
                  iv_kind   = c_kind-boolean
                  iv_name   = iv_name ).
      WHEN `n`.
        IF substring( val = mv_text off = mv_pos len = nmin( val1 = 4 val2 = mv_length - mv_pos ) ) <> `null`.
          syntax_error( `null` ).
        ENDIF.
        mv_pos = mv_pos + 4.
        add_node( iv_parent = iv_parent
                  iv_kind   = c_kind-null
                  iv_name   = iv_name ).
      WHEN OTHERS.
        lv_start = mv_pos.
        WHILE mv_pos < mv_length AND peek( ) CO `0123456789+-.eE`.
          mv_pos = mv_pos + 1.
        ENDWHILE.
        IF mv_pos = lv_start.
          syntax_error( `a value` ).
        ENDIF.
        add_node( iv_parent = iv_parent
                  iv_kind   = c_kind-number
                  iv_name   = iv_name
                  iv_value  = substring( val = mv_text off = lv_start len = mv_pos - lv_start ) ).
    ENDCASE.
  ENDMETHOD.


  METHOD parse_string.
    DATA lv_next TYPE i.

    expect( '"' ).
    DO.
      " copy the run up to the next quote or backslash in one piece
      lv_next = find_any_of( val = mv_text sub = `"\` off = mv_pos ).
      IF lv_next < 0.
        syntax_error( `a closing quote` ).
      ENDIF.
      rv_text = rv_text && substring( val = mv_text off = mv_pos len = lv_next - mv_pos ).
      mv_pos = lv_next.
      IF peek( ) = `"`.
        mv_pos = mv_pos + 1.
        RETURN.
      ENDIF.
      mv_pos = mv_pos + 1.
      rv_text = rv_text && parse_escape( ).
    ENDDO.
  ENDMETHOD.


  METHOD parse_escape.
    DATA lv_code TYPE i.
    DATA lv_low TYPE i.

    IF mv_pos >= mv_length.
      syntax_error( `an escape` ).
    ENDIF.
    DATA(lv_char) = peek( ).
    mv_pos = mv_pos + 1.
    CASE lv_char.
      WHEN `"` OR `\` OR `/`.
        rv_text = lv_char.
      WHEN `n`.
        rv_text = |\n|.
      WHEN `r`.
        rv_text = |\r|.
      WHEN `t`.
        rv_text = |\t|.
      WHEN `b`.
        rv_text = code_point_to_string( 8 ).
      WHEN `f`.
        rv_text = code_point_to_string( 12 ).
      WHEN `u`.
        lv_code = parse_hex4( ).
        " a character outside the BMP arrives as a surrogate pair of two escapes
        IF lv_code >= 55296 AND lv_code <= 56319
            AND substring( val = mv_text off = mv_pos len = nmin( val1 = 2 val2 = mv_length - mv_pos ) ) = `\u`.
          mv_pos = mv_pos + 2.
          lv_low = parse_hex4( ).
          IF lv_low >= 56320 AND lv_low <= 57343.
            lv_code = 65536 + ( lv_code - 55296 ) * 1024 + ( lv_low - 56320 ).
          ELSE.
            rv_text = code_point_to_string( 65533 ).
            lv_code = lv_low.
          ENDIF.
        ENDIF.
        rv_text = rv_text && code_point_to_string( lv_code ).
      WHEN OTHERS.
        syntax_error( |a valid escape, not \\{ lv_char }| ).
    ENDCASE.
  ENDMETHOD.


  METHOD parse_hex4.
    DATA lv_hex TYPE x LENGTH 2.
    DATA(lv_digits) = to_upper( substring( val = mv_text off = mv_pos len = nmin( val1 = 4 val2 = mv_length - mv_pos ) ) ).
    IF strlen( lv_digits ) <> 4 OR lv_digits CN `0123456789ABCDEF`.
      syntax_error( `four hex digits` ).
    ENDIF.
    mv_pos = mv_pos + 4.
    lv_hex = lv_digits.
    rv_code = lv_hex.
  ENDMETHOD.


  METHOD add_node.
    rv_index = lines( mt_nodes ) + 1.
    APPEND VALUE #( index  = rv_index
                    parent = iv_parent
                    kind   = iv_kind
                    name   = iv_name
                    value  = iv_value ) TO mt_nodes.
  ENDMETHOD.


  METHOD skip_whitespace.
    WHILE mv_pos < mv_length.
      CASE peek( ).
        WHEN ` ` OR |\n| OR |\r| OR |\t|.
          mv_pos = mv_pos + 1.
        WHEN OTHERS.
          RETURN.
      ENDCASE.
    ENDWHILE.
  ENDMETHOD.


  METHOD expect.
    IF peek( ) <> iv_char.
      syntax_error( |"{ iv_char }"| ).
    ENDIF.
    mv_pos = mv_pos + 1.
  ENDMETHOD.


  METHOD peek.
    IF mv_pos < mv_length.
      rv_char = substring( val = mv_text off = mv_pos len = 1 ).
    ENDIF.
  ENDMETHOD.


  METHOD syntax_error.
    RAISE EXCEPTION TYPE lcx_syntax_error
      EXPORTING
        text = |JSON syntax error at offset { mv_pos }: expected { iv_what }|.
  ENDMETHOD.


  METHOD restore.
    DATA lv_kind TYPE c LENGTH 1.
    DATA lv_name TYPE string.
    DATA lv_key TYPE string.
    FIELD-SYMBOLS <lv_component> TYPE any.
    FIELD-SYMBOLS <lt_table> TYPE STANDARD TABLE.
    FIELD-SYMBOLS <lv_line> TYPE any.

    READ TABLE mt_nodes INTO DATA(ls_node) INDEX iv_node.
    IF sy-subrc <> 0.
      RETURN.
    ENDIF.

    DESCRIBE FIELD cv_data TYPE lv_kind.
    CASE lv_kind.
      WHEN 'u' OR 'v'.
        IF ls_node-kind <> c_kind-object.
          RETURN.
        ENDIF.
        LOOP AT zcl_kernel_rtti=>component_names( cv_data ) INTO lv_name.
          lv_key = pretty_name( iv_abap_name = lv_name iv_mode = mv_pretty_name ).
          LOOP AT mt_nodes INTO DATA(ls_member) WHERE parent = iv_node.
            IF ls_member-name = lv_key
                OR ( mv_pretty_name = pretty_mode-none AND to_upper( ls_member-name ) = lv_key ).
              ASSIGN COMPONENT lv_name OF STRUCTURE cv_data TO <lv_component>.
              restore( EXPORTING iv_node = ls_member-index
                       CHANGING  cv_data = <lv_component> ).
              EXIT.
            ENDIF.
          ENDLOOP.
        ENDLOOP.
      WHEN 'h'.
        IF ls_node-kind <> c_kind-array.
          RETURN.
        ENDIF.
        ASSIGN cv_data TO <lt_table>.
        CLEAR <lt_table>.
        LOOP AT mt_nodes INTO DATA(ls_element) WHERE parent = iv_node.
          APPEND INITIAL LINE TO <lt_table> ASSIGNING <lv_line>.
          restore( EXPORTING iv_node = ls_element-index
                   CHANGING  cv_data = <lv_line> ).
        ENDLOOP.
      WHEN OTHERS.
        CASE ls_node-kind.
          WHEN c_kind-string OR c_kind-number OR c_kind-boolean.
            cv_data = ls_node-value.
          WHEN c_kind-null.
            CLEAR cv_data.
        ENDCASE.
    ENDCASE.
  ENDMETHOD.


  METHOD code_point_to_string.
    " UTF-8 encode the code point in ABAP, then let the codec turn the bytes into text
    DATA lv_byte TYPE x LENGTH 1.
    DATA lv_bytes TYPE xstring.
    DATA lv_value TYPE i.

    IF iv_code < 128.
      lv_byte = iv_code.
      lv_bytes = lv_byte.
    ELSEIF iv_code < 2048.
      lv_value = 192 + iv_code DIV 64.
      lv_byte = lv_value.
      lv_bytes = lv_byte.
      lv_value = 128 + iv_code MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
    ELSEIF iv_code < 65536.
      lv_value = 224 + iv_code DIV 4096.
      lv_byte = lv_value.
      lv_bytes = lv_byte.
      lv_value = 128 + ( iv_code DIV 64 ) MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
      lv_value = 128 + iv_code MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
    ELSE.
      lv_value = 240 + iv_code DIV 262144.
      lv_byte = lv_value.
      lv_bytes = lv_byte.
      lv_value = 128 + ( iv_code DIV 4096 ) MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
      lv_value = 128 + ( iv_code DIV 64 ) MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
      lv_value = 128 + iv_code MOD 64.
      lv_byte = lv_value.
      CONCATENATE lv_bytes lv_byte INTO lv_bytes IN BYTE MODE.
    ENDIF.
    rv_text = zcl_kernel_crypto=>utf8_decode( lv_bytes ).
  ENDMETHOD.

ENDCLASS.
