from django.test import TestCase
from django.urls import reverse

from .models import Order, Product


class ShopTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.product = Product.objects.create(name="Blue Mug", slug="blue-mug", price="12.50")

    def test_product_list_shows_products_in_stock(self):
        response = self.client.get(reverse("shop:product_list"))
        self.assertContains(response, "Blue Mug")

    def test_checkout_creates_an_order_and_redirects(self):
        url = reverse("shop:checkout", kwargs={"slug": "blue-mug"})
        data = {"quantity": 2, "email": "ada@example.com", "shipping_address": "1 Main St"}
        response = self.client.post(url, data)
        order = Order.objects.get()
        self.assertRedirects(response, reverse("shop:order_confirmed", kwargs={"order_id": order.pk}))
        self.assertEqual(order.total, 25)

    def test_checkout_refuses_more_than_ten(self):
        url = reverse("shop:checkout", kwargs={"slug": "blue-mug"})
        data = {"quantity": 11, "email": "ada@example.com", "shipping_address": "1 Main St"}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Order.objects.exists())
