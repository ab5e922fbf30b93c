from django import forms

from .models import Order


class CheckoutForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["quantity", "email", "shipping_address"]
        widgets = {"shipping_address": forms.Textarea(attrs={"rows": 3})}

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity > 10:
            raise forms.ValidationError("You can order at most 10 at a time.")
        return quantity
