"! <p class="shorttext synchronized">Exceptions of category DYNAMIC_CHECK</p>
CLASS cx_dynamic_check DEFINITION PUBLIC ABSTRACT INHERITING FROM cx_root CREATE PUBLIC.
ENDCLASS.

CLASS cx_dynamic_check IMPLEMENTATION.
ENDCLASS.
