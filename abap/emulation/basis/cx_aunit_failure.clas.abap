"! <p class="shorttext synchronized">A failed ABAP Unit assertion</p>
CLASS cx_aunit_failure DEFINITION PUBLIC INHERITING FROM cx_no_check CREATE PUBLIC.
  PUBLIC SECTION.
    DATA message TYPE string READ-ONLY.

    METHODS constructor
      IMPORTING message TYPE string OPTIONAL.
    METHODS get_text REDEFINITION.
ENDCLASS.

CLASS cx_aunit_failure IMPLEMENTATION.

  METHOD constructor.
    super->constructor( ).
    me->message = message.
  ENDMETHOD.

  METHOD get_text.
    result = message.
  ENDMETHOD.

ENDCLASS.
