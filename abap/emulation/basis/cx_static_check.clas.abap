"! <p class="shorttext synchronized">Exceptions of category STATIC_CHECK</p>
CLASS cx_static_check DEFINITION PUBLIC ABSTRACT INHERITING FROM cx_root CREATE PUBLIC.
ENDCLASS.

CLASS cx_static_check IMPLEMENTATION.
ENDCLASS.
