from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("products/<slug:slug>/checkout/", views.checkout, name="checkout"),
    path("orders/<int:order_id>/", views.order_confirmed, name="order_confirmed"),
]
