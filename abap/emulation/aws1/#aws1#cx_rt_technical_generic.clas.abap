"! <p class="shorttext synchronized">No usable response: network, configuration or protocol</p>
CLASS /aws1/cx_rt_technical_generic DEFINITION PUBLIC INHERITING FROM /aws1/cx_rt_generic CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_rt_technical_generic IMPLEMENTATION.
ENDCLASS.
