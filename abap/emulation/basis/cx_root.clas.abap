"! <p class="shorttext synchronized">Root of all exception classes</p>
"! The part of the standard CX_ROOT the SDK and its callers use: a previous
"! exception and GET_TEXT, which subclasses redefine.
CLASS cx_root DEFINITION PUBLIC ABSTRACT CREATE PUBLIC.
  PUBLIC SECTION.
    DATA previous TYPE REF TO cx_root READ-ONLY.

    METHODS constructor
      IMPORTING previous LIKE previous OPTIONAL.
    METHODS get_text
      RETURNING VALUE(result) TYPE string.
ENDCLASS.

CLASS cx_root IMPLEMENTATION.

  METHOD constructor.
    me->previous = previous.
  ENDMETHOD.

  METHOD get_text.
    IF previous IS BOUND.
      result = previous->get_text( ).
    ENDIF.
  ENDMETHOD.

ENDCLASS.
