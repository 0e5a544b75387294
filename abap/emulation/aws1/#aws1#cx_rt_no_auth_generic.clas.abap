"! <p class="shorttext synchronized">Missing credentials, or the service rejected them</p>
CLASS /aws1/cx_rt_no_auth_generic DEFINITION PUBLIC INHERITING FROM /aws1/cx_rt_generic CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_rt_no_auth_generic IMPLEMENTATION.
ENDCLASS.
