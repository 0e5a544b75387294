"! <p class="shorttext synchronized">Creates Bedrock Runtime clients</p>
CLASS /aws1/cl_bdr_factory DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS create
      IMPORTING io_session    TYPE REF TO /aws1/cl_rt_session_aws
      RETURNING VALUE(oo_bdr) TYPE REF TO /aws1/if_bdr.
ENDCLASS.

CLASS /aws1/cl_bdr_factory IMPLEMENTATION.

  METHOD create.
    oo_bdr = NEW /aws1/cl_bdr_client( io_session ).
  ENDMETHOD.

ENDCLASS.
