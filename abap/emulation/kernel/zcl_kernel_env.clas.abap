"! <p class="shorttext synchronized">Process environment variables</p>
"! The SDK session reads its endpoint, region and credentials here, from the same
"! variables every other AWS SDK reads.
CLASS zcl_kernel_env DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    "! @parameter rv_value | empty when the variable is not set
    CLASS-METHODS get
      IMPORTING iv_name         TYPE string
      RETURNING VALUE(rv_value) TYPE string.
ENDCLASS.

CLASS zcl_kernel_env IMPLEMENTATION.

  METHOD get.
    WRITE '@KERNEL rv_value.set(process.env[iv_name.get()] ?? "");'.
  ENDMETHOD.

ENDCLASS.
