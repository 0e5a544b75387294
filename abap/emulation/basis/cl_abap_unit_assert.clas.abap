"! <p class="shorttext synchronized">ABAP Unit assertions used by this project's tests</p>
"! A failed assertion raises CX_AUNIT_FAILURE, which stops the transpiler's test
"! runner with the message.
CLASS cl_abap_unit_assert DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS assert_equals
      IMPORTING act TYPE any
                exp TYPE any
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_true
      IMPORTING act TYPE abap_bool
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_false
      IMPORTING act TYPE abap_bool
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_bound
      IMPORTING act TYPE any
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_initial
      IMPORTING act TYPE any
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS assert_not_initial
      IMPORTING act TYPE any
                msg TYPE csequence OPTIONAL.
    CLASS-METHODS fail
      IMPORTING msg TYPE csequence OPTIONAL.
ENDCLASS.

CLASS cl_abap_unit_assert IMPLEMENTATION.

  METHOD assert_equals.
    DATA lv_act TYPE string.
    DATA lv_exp TYPE string.
    IF act <> exp.
      lv_act = act.
      lv_exp = exp.
      fail( |{ msg } expected <{ lv_exp }> but was <{ lv_act }>| ).
    ENDIF.
  ENDMETHOD.

  METHOD assert_true.
    IF act <> abap_true.
      fail( |{ msg } expected true| ).
    ENDIF.
  ENDMETHOD.

  METHOD assert_false.
    IF act <> abap_false.
      fail( |{ msg } expected false| ).
    ENDIF.
  ENDMETHOD.

  METHOD assert_bound.
    IF act IS NOT BOUND.
      fail( |{ msg } expected a bound reference| ).
    ENDIF.
  ENDMETHOD.

  METHOD assert_initial.
    IF act IS NOT INITIAL.
      fail( |{ msg } expected an initial value| ).
    ENDIF.
  ENDMETHOD.

  METHOD assert_not_initial.
    IF act IS INITIAL.
      fail( |{ msg } expected a value| ).
    ENDIF.
  ENDMETHOD.

  METHOD fail.
    RAISE EXCEPTION TYPE cx_aunit_failure
      EXPORTING
        message = |{ msg }|.
  ENDMETHOD.

ENDCLASS.
