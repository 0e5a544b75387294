"! <p class="shorttext synchronized">Exceptions of category NO_CHECK</p>
CLASS cx_no_check DEFINITION PUBLIC ABSTRACT INHERITING FROM cx_root CREATE PUBLIC.
ENDCLASS.

CLASS cx_no_check IMPLEMENTATION.
ENDCLASS.
