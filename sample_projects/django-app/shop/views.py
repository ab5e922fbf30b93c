from django.shortcuts import get_object_or_404, redirect, render

from .forms import CheckoutForm
from .models import Order, Product


def product_list(request):
    products = Product.objects.filter(in_stock=True).order_by("name")
    return render(request, "shop/product_list.html", {"products": products})


def product_detail(request, slug):
    product = get_object_or_404(Product, slug=slug)
    return render(request, "shop/product_detail.html", {"product": product})


def checkout(request, slug):
    product = get_object_or_404(Product, slug=slug, in_stock=True)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            order = form.save(commit=False)
            order.product = product
            order.save()
            return redirect("shop:order_confirmed", order_id=order.pk)
    else:
        form = CheckoutForm()
    return render(request, "shop/checkout.html", {"product": product, "form": form})


def order_confirmed(request, order_id):
    order = get_object_or_404(Order, pk=order_id)
    return render(request, "shop/order_confirmed.html", {"order": order})
