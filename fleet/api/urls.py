from rest_framework.routers import DefaultRouter

from fleet.api import views

router = DefaultRouter()
router.register("branches", views.BranchViewSet, basename="branch")
router.register("categories", views.MachineCategoryViewSet, basename="category")
router.register("machines", views.MachineViewSet, basename="machine")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("rentals", views.RentalViewSet, basename="rental")
router.register("technicians", views.TechnicianViewSet, basename="technician")

urlpatterns = router.urls
