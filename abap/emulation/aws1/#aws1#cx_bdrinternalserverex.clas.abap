"! <p class="shorttext synchronized">InternalServerException (HTTP 500)</p>
CLASS /aws1/cx_bdrinternalserverex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrserverexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrinternalserverex IMPLEMENTATION.
ENDCLASS.
