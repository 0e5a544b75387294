"! <p class="shorttext synchronized">AWS Signature Version 4 request signing</p>
"! Builds the canonical request, the string to sign and the signature as the SigV4
"! specification describes them; only SHA-256 and HMAC-SHA256 come from the kernel.
"! The path is taken as it goes on the wire (already percent-encoded) and, as for
"! every service except S3, encoded once more for the canonical request.
CLASS /aws1/cl_rt_sigv4 DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    TYPES:
      BEGIN OF ty_header,
        name  TYPE string,
        value TYPE string,
      END OF ty_header,
      ty_headers TYPE STANDARD TABLE OF ty_header WITH DEFAULT KEY,
      BEGIN OF ty_request,
        method  TYPE string,
        "! percent-encoded path as sent, e.g. /model/anthropic.claude-v2%3A1/invoke
        path    TYPE string,
        "! query string as sent, without the question mark
        query   TYPE string,
        headers TYPE ty_headers,
        payload TYPE xstring,
      END OF ty_request.

    CONSTANTS c_algorithm TYPE string VALUE `AWS4-HMAC-SHA256`.

    METHODS constructor
      IMPORTING iv_access_key_id     TYPE string
                iv_secret_access_key TYPE string
                iv_session_token     TYPE string OPTIONAL
                iv_region            TYPE string
                iv_service           TYPE string.

    "! Adds X-Amz-Date (unless present), X-Amz-Security-Token (with a session token),
    "! X-Amz-Content-SHA256 (if asked) and Authorization to the request's headers.
    "! @parameter iv_amz_date | YYYYMMDDTHHMMSSZ; the current time if empty
    METHODS sign
      IMPORTING iv_amz_date            TYPE string OPTIONAL
                iv_add_content_sha256 TYPE abap_bool DEFAULT abap_true
      CHANGING  cs_request            TYPE ty_request.

    METHODS canonical_request
      IMPORTING is_request       TYPE ty_request
      RETURNING VALUE(rv_result) TYPE string.
    METHODS signed_headers
      IMPORTING is_request       TYPE ty_request
      RETURNING VALUE(rv_result) TYPE string.
    METHODS string_to_sign
      IMPORTING iv_amz_date          TYPE string
                iv_canonical_request TYPE string
      RETURNING VALUE(rv_result)     TYPE string.
    "! @parameter rv_result | lower-case hex
    METHODS signature
      IMPORTING iv_amz_date       TYPE string
                iv_string_to_sign TYPE string
      RETURNING VALUE(rv_result)  TYPE string.
    METHODS credential_scope
      IMPORTING iv_amz_date      TYPE string
      RETURNING VALUE(rv_result) TYPE string.

    "! Percent-encodes everything but the unreserved characters A-Z a-z 0-9 - _ . ~
    CLASS-METHODS uri_encode
      IMPORTING iv_text          TYPE csequence
                iv_encode_slash  TYPE abap_bool DEFAULT abap_true
      RETURNING VALUE(rv_result) TYPE string.
    "! @parameter rv_result | the current UTC time as YYYYMMDDTHHMMSSZ
    CLASS-METHODS amz_date_now
      RETURNING VALUE(rv_result) TYPE string.
    CLASS-METHODS hex_sha256
      IMPORTING iv_data          TYPE xstring
      RETURNING VALUE(rv_result) TYPE string.

  PROTECTED SECTION.
  PRIVATE SECTION.
    DATA mv_access_key_id TYPE string.
    DATA mv_secret_access_key TYPE string.
    DATA mv_session_token TYPE string.
    DATA mv_region TYPE string.
    DATA mv_service TYPE string.

    METHODS canonical_headers
      IMPORTING is_request        TYPE ty_request
      RETURNING VALUE(rt_headers) TYPE ty_headers.
    CLASS-METHODS canonical_query
      IMPORTING iv_query         TYPE string
      RETURNING VALUE(rv_result) TYPE string.
    CLASS-METHODS hmac
      IMPORTING iv_key           TYPE xstring
                iv_text          TYPE string
      RETURNING VALUE(rv_result) TYPE xstring.
ENDCLASS.

CLASS /aws1/cl_rt_sigv4 IMPLEMENTATION.

  METHOD constructor.
    mv_access_key_id = iv_access_key_id.
    mv_secret_access_key = iv_secret_access_key.
    mv_session_token = iv_session_token.
    mv_region = iv_region.
    mv_service = iv_service.
  ENDMETHOD.

  METHOD sign.
    DATA(lv_amz_date) = iv_amz_date.
    READ TABLE cs_request-headers INTO DATA(ls_date) WITH KEY name = `X-Amz-Date`.
    IF sy-subrc = 0.
      lv_amz_date = ls_date-value.
    ELSE.
      IF lv_amz_date IS INITIAL.
        lv_amz_date = amz_date_now( ).
      ENDIF.
      APPEND VALUE #( name = `X-Amz-Date` value = lv_amz_date ) TO cs_request-headers.
    ENDIF.
    IF mv_session_token IS NOT INITIAL.
      APPEND VALUE #( name = `X-Amz-Security-Token` value = mv_session_token ) TO cs_request-headers.
    ENDIF.
    IF iv_add_content_sha256 = abap_true.
      APPEND VALUE #( name = `X-Amz-Content-SHA256` value = hex_sha256( cs_request-payload ) ) TO cs_request-headers.
    ENDIF.

    DATA(lv_string_to_sign) = string_to_sign( iv_amz_date          = lv_amz_date
                                              iv_canonical_request = canonical_request( cs_request ) ).
    APPEND VALUE #(
      name  = `Authorization`
      value = |{ c_algorithm } Credential={ mv_access_key_id }/{ credential_scope( lv_amz_date ) }, |
           && |SignedHeaders={ signed_headers( cs_request ) }, |
           && |Signature={ signature( iv_amz_date = lv_amz_date iv_string_to_sign = lv_string_to_sign ) }|
      ) TO cs_request-headers.
  ENDMETHOD.

  METHOD canonical_request.
    DATA lt_lines TYPE string_table.

    APPEND to_upper( is_request-method ) TO lt_lines.
    " the wire path is already encoded; the canonical form encodes it again
    APPEND uri_encode( iv_text = is_request-path iv_encode_slash = abap_false ) TO lt_lines.
    IF is_request-path IS INITIAL.
      lt_lines[ 2 ] = `/`.
    ENDIF.
    APPEND canonical_query( is_request-query ) TO lt_lines.
    LOOP AT canonical_headers( is_request ) INTO DATA(ls_header).
      APPEND |{ ls_header-name }:{ ls_header-value }| TO lt_lines.
    ENDLOOP.
    APPEND `` TO lt_lines.
    APPEND signed_headers( is_request ) TO lt_lines.
    APPEND hex_sha256( is_request-payload ) TO lt_lines.
    rv_result = concat_lines_of( table = lt_lines sep = |\n| ).
  ENDMETHOD.

  METHOD signed_headers.
    DATA lt_names TYPE string_table.
    LOOP AT canonical_headers( is_request ) INTO DATA(ls_header).
      APPEND ls_header-name TO lt_names.
    ENDLOOP.
    rv_result = concat_lines_of( table = lt_names sep = `;` ).
  ENDMETHOD.

  METHOD canonical_headers.
    DATA ls_header TYPE ty_header.
    FIELD-SYMBOLS <ls_existing> TYPE ty_header.

    LOOP AT is_request-headers INTO ls_header.
      ls_header-name = to_lower( condense( ls_header-name ) ).
      " the Authorization header is the result of signing, never part of it
      IF ls_header-name = `authorization`.
        CONTINUE.
      ENDIF.
      " trim and fold runs of spaces, as the specification asks
      ls_header-value = condense( ls_header-value ).
      READ TABLE rt_headers ASSIGNING <ls_existing> WITH KEY name = ls_header-name.
      IF sy-subrc = 0.
        <ls_existing>-value = |{ <ls_existing>-value },{ ls_header-value }|.
      ELSE.
        APPEND ls_header TO rt_headers.
      ENDIF.
    ENDLOOP.
    SORT rt_headers BY name.
  ENDMETHOD.

  METHOD canonical_query.
    DATA lt_pairs TYPE string_table.
    IF iv_query IS INITIAL.
      RETURN.
    ENDIF.
    SPLIT iv_query AT `&` INTO TABLE lt_pairs.
    LOOP AT lt_pairs ASSIGNING FIELD-SYMBOL(<lv_pair>).
      IF <lv_pair> NS `=`.
        <lv_pair> = |{ <lv_pair> }=|.
      ENDIF.
    ENDLOOP.
    SORT lt_pairs.
    rv_result = concat_lines_of( table = lt_pairs sep = `&` ).
  ENDMETHOD.

  METHOD string_to_sign.
    rv_result = |{ c_algorithm }\n{ iv_amz_date }\n{ credential_scope( iv_amz_date ) }\n|
             && hex_sha256( zcl_kernel_crypto=>utf8_encode( iv_canonical_request ) ).
  ENDMETHOD.

  METHOD signature.
    DATA(lv_key) = hmac( iv_key  = zcl_kernel_crypto=>utf8_encode( |AWS4{ mv_secret_access_key }| )
                         iv_text = substring( val = iv_amz_date len = 8 ) ).
    lv_key = hmac( iv_key = lv_key iv_text = mv_region ).
    lv_key = hmac( iv_key = lv_key iv_text = mv_service ).
    lv_key = hmac( iv_key = lv_key iv_text = `aws4_request` ).
    rv_result = to_lower( |{ hmac( iv_key = lv_key iv_text = iv_string_to_sign ) }| ).
  ENDMETHOD.

  METHOD credential_scope.
    rv_result = |{ substring( val = iv_amz_date len = 8 ) }/{ mv_region }/{ mv_service }/aws4_request|.
  ENDMETHOD.

  METHOD uri_encode.
    " printable ASCII from the blank (32) to the tilde (126), indexed by code - 32
    CONSTANTS lc_ascii TYPE string
      VALUE ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_``abcdefghijklmnopqrstuvwxyz{|}~`.
    DATA lv_byte TYPE x LENGTH 1.
    DATA lv_code TYPE i.
    DATA lv_char TYPE string.
    DATA lv_offset TYPE i.

    DATA(lv_bytes) = zcl_kernel_crypto=>utf8_encode( |{ iv_text }| ).
    DATA(lv_length) = xstrlen( lv_bytes ).
    WHILE lv_offset < lv_length.
      lv_byte = lv_bytes+lv_offset(1).
      lv_code = lv_byte.
      IF lv_code > 32 AND lv_code < 127.
        lv_char = substring( val = lc_ascii off = lv_code - 32 len = 1 ).
      ELSE.
        lv_char = ``.
      ENDIF.
      IF lv_char IS NOT INITIAL
          AND ( lv_char CA `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~`
                OR ( lv_char = `/` AND iv_encode_slash = abap_false ) ).
        rv_result = rv_result && lv_char.
      ELSE.
        rv_result = |{ rv_result }%{ lv_byte }|.
      ENDIF.
      lv_offset = lv_offset + 1.
    ENDWHILE.
  ENDMETHOD.

  METHOD amz_date_now.
    DATA lv_timestamp TYPE p LENGTH 8 DECIMALS 0.
    GET TIME STAMP FIELD lv_timestamp.
    DATA(lv_digits) = |{ lv_timestamp }|.
    rv_result = |{ substring( val = lv_digits len = 8 ) }T{ substring( val = lv_digits off = 8 len = 6 ) }Z|.
  ENDMETHOD.

  METHOD hex_sha256.
    rv_result = to_lower( |{ zcl_kernel_crypto=>sha256( iv_data ) }| ).
  ENDMETHOD.

  METHOD hmac.
    rv_result = zcl_kernel_crypto=>hmac_sha256( iv_key  = iv_key
                                                iv_data = zcl_kernel_crypto=>utf8_encode( iv_text ) ).
  ENDMETHOD.

ENDCLASS.
