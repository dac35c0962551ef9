app_name = "action"
urlpatterns: list = []
