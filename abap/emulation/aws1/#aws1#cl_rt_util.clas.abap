"! <p class="shorttext synchronized">Conversions between text and UTF-8 bytes</p>
CLASS /aws1/cl_rt_util DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS string_to_xstring
      IMPORTING iv_string         TYPE csequence
      RETURNING VALUE(ov_xstring) TYPE xstring.
    CLASS-METHODS xstring_to_string
      IMPORTING iv_xstring       TYPE xstring
      RETURNING VALUE(ov_string) TYPE string.
ENDCLASS.

CLASS /aws1/cl_rt_util IMPLEMENTATION.

  METHOD string_to_xstring.
    ov_xstring = zcl_kernel_crypto=>utf8_encode( |{ iv_string }| ).
  ENDMETHOD.

  METHOD xstring_to_string.
    ov_string = zcl_kernel_crypto=>utf8_decode( iv_xstring ).
  ENDMETHOD.

ENDCLASS.
