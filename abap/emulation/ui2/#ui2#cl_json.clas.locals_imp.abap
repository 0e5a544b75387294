"! Ends parsing of text that is not JSON; DESERIALIZE then leaves DATA unchanged
CLASS lcx_syntax_error DEFINITION INHERITING FROM cx_no_check FINAL.
  PUBLIC SECTION.
    DATA text TYPE string READ-ONLY.
    METHODS constructor
      IMPORTING text TYPE string.
    METHODS get_text REDEFINITION.
ENDCLASS.

CLASS lcx_syntax_error IMPLEMENTATION.

  METHOD constructor.
    super->constructor( ).
    me->text = text.
  ENDMETHOD.

  METHOD get_text.
    result = text.
  ENDMETHOD.

ENDCLASS.
