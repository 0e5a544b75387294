"! <p class="shorttext synchronized">AccessDeniedException (HTTP 403)</p>
CLASS /aws1/cx_bdraccessdeniedex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdraccessdeniedex IMPLEMENTATION.
ENDCLASS.
